//! The EVM debugger's model: where a recorded instruction came from in the
//! Solidity source (solc's source maps), and stepping through a recorded
//! trace — into, over and out of calls (external ones and Solidity's
//! internal jumps), back, and on to a breakpoint — with the gas each step
//! cost, the memory the frame had and the storage written so far.

use crate::model::contract::{FrameInfo, HostCall, OpStep, Recorded};
use std::collections::{BTreeMap, BTreeSet};

/// One instruction's entry in a solc source map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MapEntry {
    start: i64,
    length: i64,
    file: i64,
    /// `i` into a function, `o` out of one, `-` otherwise.
    jump: char,
}

/// Reads solc's compressed source map (`s:l:f:j:m;…`, an empty field
/// repeating the one before).
fn source_map(map: &str) -> Vec<MapEntry> {
    let mut last = MapEntry {
        start: -1,
        length: -1,
        file: -1,
        jump: '-',
    };
    map.split(';')
        .map(|item| {
            let mut fields = item.split(':');
            let mut number = |old: i64| match fields.next() {
                Some(text) if !text.is_empty() => text.parse().unwrap_or(old),
                _ => old,
            };
            last.start = number(last.start);
            last.length = number(last.length);
            last.file = number(last.file);
            if let Some(jump) = fields.next().and_then(|j| j.chars().next()) {
                last.jump = jump;
            }
            last
        })
        .collect()
}

/// The instruction index of each instruction's pc (`PUSH` data skipped).
fn instruction_indices(code: &[u8]) -> BTreeMap<usize, usize> {
    let mut indices = BTreeMap::new();
    let mut pc = 0;
    while pc < code.len() {
        indices.insert(pc, indices.len());
        let op = code[pc];
        pc += 1 + if (0x60..=0x7f).contains(&op) {
            usize::from(op - 0x5f)
        } else {
            0
        };
    }
    indices
}

/// Where an instruction came from: a file, a 1-based line, the byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The source unit.
    pub file: String,
    /// The line the range starts on, 1-based.
    pub line: u32,
    /// Whether the instruction jumps into (`i`) or out of (`o`) a function.
    pub jump: char,
}

/// What maps one deployed contract's instructions to its sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugSource {
    /// The contract.
    pub contract: String,
    /// keccak-256 of its runtime code, `0x` hex: how a trace's frame finds it.
    pub code_hash: String,
    entries: Vec<MapEntry>,
    indices: BTreeMap<usize, usize>,
    /// Source units by solc's id: name and text.
    pub units: BTreeMap<i64, (String, String)>,
}

impl DebugSource {
    /// From the runtime bytecode (hex), its source map and the units
    /// compiled (by id); `None` if the bytecode is not hex (unlinked).
    pub fn new(
        contract: &str,
        deployed: &str,
        map: &str,
        units: BTreeMap<i64, (String, String)>,
    ) -> Option<Self> {
        use sha3::Digest;
        let code = hex::decode(deployed.trim_start_matches("0x")).ok()?;
        Some(Self {
            contract: contract.to_owned(),
            code_hash: format!("0x{}", hex::encode(sha3::Keccak256::digest(&code))),
            entries: source_map(map),
            indices: instruction_indices(&code),
            units,
        })
    }

    /// Where the instruction at `pc` came from (`None` for code solc
    /// generated without a place, or a pc that starts no instruction).
    pub fn place(&self, pc: usize) -> Option<Place> {
        let entry = self.entries.get(*self.indices.get(&pc)?)?;
        let (file, text) = self.units.get(&entry.file)?;
        let start = usize::try_from(entry.start).ok()?;
        let line = text.get(..start)?.matches('\n').count() + 1;
        Some(Place {
            file: file.clone(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            jump: entry.jump,
        })
    }
}

/// A recorded trace with its sources: what the debugger steps through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debugging {
    /// The instructions.
    pub steps: Vec<OpStep>,
    /// Each step's place in the source, if its code's source is known.
    places: Vec<Option<Place>>,
    /// Each step's depth of Solidity internal calls within its frame.
    inner: Vec<u32>,
    /// The text of every file a step is placed in.
    texts: BTreeMap<String, String>,
    /// EVM frames by index: their call data.
    frames: BTreeMap<usize, FrameInfo>,
}

impl Debugging {
    /// A recorded trace's steps, placed with `sources` by the code hash of
    /// each step's frame.
    pub fn new(recorded: Recorded, sources: &[DebugSource]) -> Self {
        let Recorded {
            steps,
            codes,
            frames,
        } = recorded;
        let source_of = |step: &OpStep| {
            let hash = codes.get(&step.frame?)?;
            sources.iter().find(|s| &s.code_hash == hash)
        };
        let places: Vec<Option<Place>> = steps
            .iter()
            .map(|step| source_of(step)?.place(usize::try_from(step.pc).ok()?))
            .collect();
        // Internal calls: a jump marked `i` enters a function, `o` leaves one.
        let mut inner = Vec::with_capacity(steps.len());
        let mut depths: BTreeMap<u32, u32> = BTreeMap::new();
        for (step, place) in steps.iter().zip(&places) {
            let depth = depths.entry(step.depth).or_insert(0);
            inner.push(*depth);
            if step.op == "JUMP" {
                match place.as_ref().map(|p| p.jump) {
                    Some('i') => *depth += 1,
                    Some('o') => *depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            // A frame that ends forgets its internal depth.
            depths.retain(|d, _| *d <= step.depth);
        }
        let texts = sources
            .iter()
            .flat_map(|s| s.units.values())
            .filter(|(name, _)| places.iter().flatten().any(|p| &p.file == name))
            .map(|(name, text)| (name.clone(), text.clone()))
            .collect();
        Self {
            steps,
            places,
            inner,
            texts,
            frames,
        }
    }

    /// The EVM frame step `i` runs in: its kind, callee, calldata and
    /// return data.
    pub fn frame(&self, i: usize) -> Option<&FrameInfo> {
        self.frames.get(&self.steps.get(i)?.frame?)
    }

    /// Every host call the trace's Wasm instructions made, with its step.
    pub fn host_calls(&self) -> Vec<(usize, &HostCall)> {
        self.steps
            .iter()
            .enumerate()
            .flat_map(|(i, step)| step.host.iter().map(move |call| (i, call)))
            .collect()
    }

    /// How many steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Step `i`'s place in the source.
    pub fn place(&self, i: usize) -> Option<&Place> {
        self.places.get(i)?.as_ref()
    }

    /// The text of the file step `i` is in.
    pub fn source_text(&self, i: usize) -> Option<String> {
        let place = self.place(i)?;
        self.texts.get(&place.file).cloned()
    }

    fn line(&self, i: usize) -> Option<(&str, u32)> {
        self.place(i).map(|p| (p.file.as_str(), p.line))
    }

    /// (frame depth, internal depth) of step `i`.
    fn level(&self, i: usize) -> (u32, u32) {
        (
            self.steps.get(i).map_or(0, |s| s.depth),
            self.inner.get(i).copied().unwrap_or(0),
        )
    }

    /// The first step after `i` satisfying `found`, else the last step.
    fn next(&self, i: usize, found: impl Fn(usize) -> bool) -> usize {
        (i + 1..self.len())
            .find(|j| found(*j))
            .unwrap_or(self.len().saturating_sub(1))
    }

    /// Into: the next step on another source line (any call), or the next
    /// instruction where there is no source.
    pub fn step_into(&self, i: usize) -> usize {
        match self.line(i) {
            Some(line) => self.next(i, |j| self.line(j).is_some_and(|l| l != line)),
            None => (i + 1).min(self.len().saturating_sub(1)),
        }
    }

    /// Over: the next step on another line at this level or above
    /// (calls made from this line run through).
    pub fn step_over(&self, i: usize) -> usize {
        let level = self.level(i);
        let line = self.line(i);
        self.next(i, |j| {
            self.level(j) <= level
                && (line.is_none() || self.line(j).is_some_and(|l| Some(l) != line))
        })
    }

    /// Out: the next step above this level (back in the caller).
    pub fn step_out(&self, i: usize) -> usize {
        let level = self.level(i);
        self.next(i, |j| {
            let here = self.level(j);
            here < level && (self.line(j).is_some() || here.0 < level.0)
        })
    }

    /// Back: to the start of the run of steps on the closest earlier
    /// source line other than this one (so what that line does is still to
    /// come), or the previous instruction where there is no source.
    pub fn step_back(&self, i: usize) -> usize {
        let Some(line) = self.line(i) else {
            return i.saturating_sub(1);
        };
        let Some(mut j) = (0..i)
            .rev()
            .find(|j| self.line(*j).is_some_and(|l| l != line))
        else {
            return 0;
        };
        while j > 0 && self.line(j - 1) == self.line(j) {
            j -= 1;
        }
        j
    }

    /// On to the next step on a breakpoint's line (another line than
    /// this one), or the last step.
    pub fn run_to(&self, i: usize, breakpoints: &BTreeSet<(String, u32)>) -> usize {
        let line = self.line(i);
        self.next(i, |j| {
            self.line(j).is_some_and(|(file, l)| {
                Some((file, l)) != line && breakpoints.contains(&(file.to_owned(), l))
            })
        })
    }

    /// What step `i` cost: the gas left before it less the gas left at the
    /// next step in the same frame (a call's cost includes the callee's).
    pub fn cost(&self, i: usize) -> Option<u64> {
        let step = self.steps.get(i)?;
        let after = self.steps[i + 1..]
            .iter()
            .take_while(|s| s.depth >= step.depth)
            .find(|s| s.depth == step.depth)?;
        step.gas.checked_sub(after.gas)
    }

    /// The frame's memory as step `i` sees it, hex.
    pub fn memory(&self, i: usize) -> String {
        let Some(step) = self.steps.get(i) else {
            return String::new();
        };
        self.steps[..=i]
            .iter()
            .rev()
            .filter(|s| s.frame == step.frame)
            .find_map(|s| s.memory.clone())
            .unwrap_or_default()
    }

    /// The storage writes done before step `i`, in order: an EVM
    /// `SSTORE` (with the slot's value before it), a Wasm contract's
    /// `state set` or `state delete`.
    pub fn storage_written(&self, i: usize) -> Vec<Written> {
        let mut written = Vec::new();
        for (step, s) in self.steps[..i.min(self.len())].iter().enumerate() {
            if s.op == "SSTORE" && s.stack.len() >= 2 {
                written.push(Written {
                    frame: s.frame,
                    slot: s.stack[0].clone(),
                    before: s.old.clone(),
                    after: s.stack[1].clone(),
                    step,
                });
            }
            for call in &s.host {
                let after = match call.name.as_str() {
                    "state set" => call.result.clone(),
                    "state delete" => "(deleted)".into(),
                    _ => continue,
                };
                written.push(Written {
                    frame: None,
                    slot: call.args.clone(),
                    before: None,
                    after,
                    step,
                });
            }
        }
        written
    }
}

/// One storage write of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The EVM frame that wrote (none for Wasm).
    pub frame: Option<usize>,
    /// The slot (EVM) or key (Wasm), as text.
    pub slot: String,
    /// The value before, where the trace knows it.
    pub before: Option<String>,
    /// The value written.
    pub after: String,
    /// The step that wrote it.
    pub step: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(pc: u64, op: &str, depth: u32, gas: u64) -> OpStep {
        OpStep {
            depth,
            pc,
            op: op.into(),
            gas,
            stack: Vec::new(),
            frame: Some(depth as usize),
            memory: None,
            old: None,
            func: None,
            host: Vec::new(),
        }
    }

    fn recorded(steps: Vec<OpStep>, codes: BTreeMap<usize, String>) -> Recorded {
        Recorded {
            steps,
            codes,
            frames: BTreeMap::new(),
        }
    }

    #[test]
    fn source_maps_decompress_and_place_instructions_on_lines() {
        let entries = source_map("0:10:0:-:0;;12:3;;:::i;20:1:1:o");
        assert_eq!(entries.len(), 6);
        assert_eq!(
            (entries[1].start, entries[1].length, entries[1].file),
            (0, 10, 0)
        );
        assert_eq!((entries[3].start, entries[3].length), (12, 3));
        assert_eq!((entries[4].start, entries[4].jump), (12, 'i'));
        assert_eq!(
            (entries[5].start, entries[5].file, entries[5].jump),
            (20, 1, 'o')
        );
        // PUSH2 takes two data bytes: the third instruction is at pc 4.
        let indices = instruction_indices(&[0x60, 0x80, 0x61, 0x00, 0x00, 0x56]);
        assert_eq!(
            indices.into_iter().collect::<Vec<_>>(),
            [(0, 0), (2, 1), (5, 2)]
        );
        let units = BTreeMap::from([
            (
                0,
                (
                    "A.sol".to_owned(),
                    "line one\nline two\nline three".to_owned(),
                ),
            ),
            (1, ("B.sol".to_owned(), "b".repeat(30))),
        ]);
        // Runtime code 60 80 61 0000 56 with map: instruction 2 at byte 12.
        let source = DebugSource::new("A", "0x6080610000566000", "0:1:0;12:3:0;20:1:0:i", units)
            .expect("hex");
        assert_eq!(source.place(0).map(|p| p.line), Some(1));
        assert_eq!(
            source.place(5).map(|p| (p.file, p.line, p.jump)),
            Some(("A.sol".into(), 3, 'i'))
        );
        assert_eq!(source.place(3), None, "inside PUSH2's data");
        assert!(source.code_hash.starts_with("0x") && source.code_hash.len() == 66);
        assert_eq!(DebugSource::new("A", "0x60zz", "", BTreeMap::new()), None);
    }

    #[test]
    fn stepping_follows_lines_calls_and_breakpoints() {
        // Lines by pc: 0-1 on line 1, 2 on line 2 (a call out), the callee
        // at depth 1 on its own line 3, back to line 2, then line 3.
        let text = "l1\nl2\nl3\n".to_owned();
        let units = BTreeMap::from([(0, ("A.sol".to_owned(), text))]);
        // Bytecode of six one-byte instructions, mapped to lines 1,1,2,3,2,3.
        let source = DebugSource::new(
            "A",
            "0x5b5b5b5b5b5b",
            "0:1:0;;3:1:0;6:1:0;3:1:0;6:1:0",
            units,
        )
        .expect("hex");
        let steps = vec![
            step(0, "PUSH1", 0, 100),
            step(1, "PUSH1", 0, 97),
            step(2, "CALL", 0, 94),
            step(3, "SSTORE", 1, 50),
            step(4, "POP", 0, 60),
            step(5, "STOP", 0, 58),
        ];
        let codes = BTreeMap::from([(0, source.code_hash.clone()), (1, source.code_hash.clone())]);
        let debugging = Debugging::new(recorded(steps, codes), std::slice::from_ref(&source));
        assert_eq!(debugging.place(2).map(|p| p.line), Some(2));
        assert_eq!(debugging.step_into(0), 2);
        assert_eq!(debugging.step_into(2), 3, "into the call");
        assert_eq!(
            debugging.step_over(2),
            5,
            "over it: line 2 again at 4 is the same line"
        );
        assert_eq!(debugging.step_out(3), 4, "back in the caller");
        assert_eq!(debugging.step_back(4), 3);
        assert_eq!(debugging.step_back(2), 0, "to the start of line 1's steps");
        let breakpoints = BTreeSet::from([("A.sol".to_owned(), 3)]);
        assert_eq!(debugging.run_to(0, &breakpoints), 3);
        assert_eq!(debugging.run_to(3, &breakpoints), 5);
        assert_eq!(debugging.cost(0), Some(3));
        assert_eq!(
            debugging.cost(2),
            Some(34),
            "the call's cost includes the callee's"
        );
        assert_eq!(debugging.cost(5), None);
    }

    #[test]
    fn memory_carries_forward_per_frame_and_storage_writes_accumulate() {
        let mut steps = vec![
            step(0, "MSTORE", 0, 10),
            step(1, "SSTORE", 0, 9),
            step(2, "CALL", 0, 8),
            step(0, "STOP", 1, 5),
            step(3, "STOP", 0, 4),
        ];
        steps[1].memory = Some("0x80".into());
        steps[1].stack = vec!["0x0".into(), "0x7".into()];
        steps[1].old = Some("0x3".into());
        steps[3].memory = Some("0x01".into());
        let debugging = Debugging::new(recorded(steps, BTreeMap::new()), &[]);
        assert_eq!(debugging.memory(0), "");
        assert_eq!(debugging.memory(2), "0x80");
        assert_eq!(debugging.memory(3), "0x01", "the callee's own memory");
        assert_eq!(debugging.memory(4), "0x80", "the caller's again");
        assert!(debugging.storage_written(1).is_empty());
        assert_eq!(
            debugging.storage_written(2),
            [Written {
                frame: Some(0),
                slot: "0x0".into(),
                before: Some("0x3".into()),
                after: "0x7".into(),
                step: 1
            }]
        );
        // Without sources, stepping is by instruction.
        assert_eq!(debugging.step_into(0), 1);
        assert_eq!(debugging.step_over(2), 4);
        assert_eq!(debugging.step_back(3), 2);
    }
}
