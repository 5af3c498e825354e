//! Processor factories by VM type, and loaded processors by program hash.

use crate::Hname;
use crate::chain::store::Store;
use crate::core::{self, NativeContract, root::ContractRecord};
use crate::ids::Hash;
use crate::vm::{Processor, ProcessorFactory, VmError, VmType};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The factories and the processor cache (ISC's processors cache).
pub(crate) struct Registry {
    factories: BTreeMap<VmType, Box<dyn ProcessorFactory>>,
    cache: RefCell<BTreeMap<Hash, Rc<dyn Processor>>>,
    core: BTreeMap<Hname, Rc<NativeContract>>,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Self {
            factories: BTreeMap::new(),
            cache: RefCell::default(),
            core: core::all()
                .into_iter()
                .map(|contract| (contract.hname(), Rc::new(contract)))
                .collect(),
        }
    }

    /// Adds `factory`, replacing one of its VM type: the processors it
    /// loaded are forgotten.
    pub(crate) fn register(&mut self, factory: Box<dyn ProcessorFactory>) {
        let vm = factory.vm_type();
        self.cache
            .borrow_mut()
            .retain(|_, processor| processor.vm_type() != vm);
        self.factories.insert(vm, factory);
    }

    pub(crate) fn core_contracts(&self) -> impl Iterator<Item = &NativeContract> {
        self.core.values().map(Rc::as_ref)
    }

    /// Whether a processor may hand a request back to be run again
    /// ([`ProcessorFactory::may_hand_back`]).
    pub(crate) fn may_hand_back(&self) -> bool {
        self.factories
            .values()
            .any(|factory| factory.may_hand_back())
    }

    pub(crate) fn vm_types(&self) -> impl Iterator<Item = &VmType> {
        self.factories.keys()
    }

    /// Loads (or finds in the cache) the program stored under `hash`.
    ///
    /// The blob must be in the state: the cache outlives reverts and
    /// restores, so it only saves the compilation of a program the chain
    /// still holds, and a live chain answers as its replay does.
    pub(crate) fn load(&self, store: &Store, hash: Hash) -> Result<Rc<dyn Processor>, VmError> {
        if !core::blob::exists(store, &hash) {
            return Err(core::blob::missing_program(&hash));
        }
        if let Some(processor) = self.cache.borrow().get(&hash) {
            return Ok(Rc::clone(processor));
        }
        let (vm, binary) = core::blob::program(store, &hash)?;
        let factory = self
            .factories
            .get(&vm)
            .ok_or_else(|| VmError::UnknownVmType { vm: vm.clone() })?;
        let processor: Rc<dyn Processor> = Rc::from(factory.load(&binary)?);
        self.cache.borrow_mut().insert(hash, Rc::clone(&processor));
        Ok(processor)
    }

    /// Loads `program` as VM `vm` would, without storing or caching it
    /// (a dry check before a deploy).
    pub(crate) fn load_unstored(
        &self,
        vm: &VmType,
        program: &[u8],
    ) -> Result<Box<dyn Processor>, VmError> {
        self.factories
            .get(vm)
            .ok_or_else(|| VmError::UnknownVmType { vm: vm.clone() })?
            .load(program)
    }

    /// The processor and record of contract `hname`.
    pub(crate) fn resolve(
        &self,
        store: &Store,
        hname: Hname,
    ) -> Result<(Rc<dyn Processor>, ContractRecord), VmError> {
        let record = core::root::record(store, hname)
            .ok_or(VmError::ContractNotFound { contract: hname })?;
        if let Some(native) = self.core.get(&hname) {
            return Ok((Rc::clone(native) as Rc<dyn Processor>, record));
        }
        Ok((self.load(store, record.program_hash)?, record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasmvm::{WasmFactory, WasmLimits};

    /// Only a chain with a second Wasm engine keeps a copy of each
    /// request's call to run it again.
    #[test]
    fn only_a_second_engine_may_hand_a_request_back() {
        let mut registry = Registry::new();
        assert!(!registry.may_hand_back(), "no processors");
        registry.register(Box::new(WasmFactory::new(WasmLimits::default())));
        assert!(!registry.may_hand_back(), "wasmi alone");
        #[cfg(feature = "testing")]
        {
            let runtime = Rc::new(crate::wasmvm::plain::PlainWasmi::default());
            registry.register(Box::new(WasmFactory::with_runtime(
                WasmLimits::default(),
                runtime,
            )));
            assert!(registry.may_hand_back(), "with the second engine");
        }
    }
}
