//! Workshop mode: the lesson sidebar (steps, their checks ticked as the
//! learner's chain satisfies them) and the teacher's "lesson from this
//! session" link.

use super::banner::{Banner, Previous};
use super::{Message, Note, Shared};
use isc_app::model::lesson::{Check, Lesson, Start, Verdict, markdown_html};
use isc_app::page::web;
use isc_app::protocol::{Command, Reply};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The lesson being followed, and where.
#[derive(Clone, Copy)]
pub(crate) struct ActiveLesson {
    pub(crate) lesson: RwSignal<Option<Lesson>>,
    pub(crate) step: RwSignal<usize>,
}

impl ActiveLesson {
    pub(crate) fn new() -> Self {
        Self {
            lesson: RwSignal::new(None),
            step: RwSignal::new(0),
        }
    }
}

/// Opens `lesson`'s starting chain and shows its first step.
pub(crate) fn start_lesson(shared: Shared, active: ActiveLesson, lesson: Lesson, banner: Banner) {
    spawn_local(async move {
        let session = match &lesson.start {
            Start::Session(session) => Ok(session.clone()),
            Start::File(file) => web::fetch_text(file).await,
        };
        let session = match session {
            Ok(session) => session,
            Err(err) => {
                banner.set(Some(Err(format!(
                    "The lesson's chain could not be loaded: {err}"
                ))));
                return;
            }
        };
        let title = lesson.title.clone();
        shared.send(
            &format!("starting the lesson {title}"),
            Command::Open { session },
            move |reply| match reply {
                Reply::Chain { view, .. } => {
                    shared.past.set(None);
                    shared.selected.set(view.contracts.first().map(|c| c.name.clone()));
                    active.step.set(0);
                    active.lesson.set(Some(lesson));
                    banner.set(Some(Ok(format!(
                        "Lesson “{title}” started. Your previous work is kept: restore it from the Chain panel."
                    ))));
                }
                Reply::Failed { message } => {
                    banner.set(Some(Err(format!("The lesson could not start: {message}"))));
                }
                _ => {}
            },
        );
    });
}

/// The lessons list, or the lesson being followed.
#[component]
pub(crate) fn Workshop(
    /// The active lesson.
    active: ActiveLesson,
    /// Where to report.
    banner: Banner,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let previous = expect_context::<Previous>();
    let lessons = RwSignal::new(Vec::<(String, String, String)>::new());
    spawn_local(async move {
        lessons.set(
            web::fetch_index("lessons/index.json", |e| {
                Some((
                    e["file"].as_str()?.to_owned(),
                    e["title"].as_str()?.to_owned(),
                    e["summary"].as_str().unwrap_or_default().to_owned(),
                ))
            })
            .await,
        );
    });
    let begin = move |file: String| {
        spawn_local(async move {
            match web::fetch_text(&file)
                .await
                .and_then(|text| Lesson::from_json(&text))
            {
                Ok(lesson) => {
                    previous.keep();
                    start_lesson(shared, active, lesson, banner);
                }
                Err(err) => banner.set(Some(Err(format!("{file}: {err}")))),
            }
        });
    };
    view! {
        <section class="workshop" aria-labelledby="workshop-title" data-testid="workshop">
            <h2 id="workshop-title">"Workshop"</h2>
            {move || match active.lesson.get() {
                Some(lesson) => view! { <LessonSteps active lesson/> }.into_any(),
                None => view! {
                    <ul class="lessons">
                        {move || lessons.get().into_iter().map(|(file, title, summary)| {
                            let id = file.trim_start_matches("lessons/").trim_end_matches(".json").to_owned();
                            view! {
                                <li>
                                    <button data-testid=format!("lesson-{id}") on:click=move |_| begin(file.clone())>
                                        {title}
                                    </button>
                                    <span class="hint">{summary}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <TeacherForm/>
                }.into_any(),
            }}
        </section>
    }
}

/// The current step, its checks (ticked as the chain satisfies them), and
/// the way between steps.
#[component]
fn LessonSteps(active: ActiveLesson, lesson: Lesson) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let count = lesson.steps.len();
    let steps = StoredValue::new(lesson.steps.clone());
    // Per check of the current step: None while unknown.
    let results = RwSignal::new(Vec::<Option<bool>>::new());
    let generation = StoredValue::new(0u64);
    // Steps once done stay done: what the learner does next (counting on
    // past three) does not take a tick back.
    let completed = RwSignal::new(std::collections::BTreeSet::<usize>::new());
    Effect::new(move || {
        let Some(view) = shared.view.get() else {
            return;
        };
        let index = active.step.get();
        let checks: Vec<Check> =
            steps.with_value(|s| s.get(index).map(|s| s.checks.clone()).unwrap_or_default());
        generation.update_value(|g| *g += 1);
        let current = generation.get_value();
        if completed.with_untracked(|done| done.contains(&index)) {
            results.set(vec![Some(true); checks.len()]);
            return;
        }
        results.set(vec![None; checks.len()]);
        for (i, check) in checks.into_iter().enumerate() {
            let set = move |ok: bool| {
                if generation.get_value() == current {
                    results.update(|r| {
                        if let Some(slot) = r.get_mut(i) {
                            *slot = Some(ok);
                        }
                    });
                }
            };
            match check.judge(&view) {
                Verdict::Pass => set(true),
                Verdict::Fail => set(false),
                Verdict::Ask(command) => shared.send("checking the lesson", *command, move |reply| {
                    set(matches!(reply, Reply::Values { ref values } if check.judge_values(values)));
                }),
            }
        }
    });
    let done = move || {
        let r = results.get();
        r.iter().all(|x| *x == Some(true))
    };
    Effect::new(move || {
        if done() {
            let index = active.step.get_untracked();
            completed.update(|steps| {
                steps.insert(index);
            });
        }
    });
    view! {
        <div class="lesson" data-testid="lesson">
            <h3 data-testid="lesson-title">{lesson.title.clone()}</h3>
            {move || {
                let index = active.step.get();
                steps.with_value(|all| all.get(index).cloned()).map(|step| {
                    let labels: Vec<String> = step.checks.iter().map(Check::label).collect();
                    view! {
                        <p class="hint" data-testid="lesson-progress">{format!("Step {} of {count}", index + 1)}</p>
                        <h4 data-testid="step-title">{step.title.clone()}</h4>
                        <div class="step-text" inner_html=markdown_html(&step.text)></div>
                        <ul class="checks" aria-label="checks">
                            {labels.into_iter().enumerate().map(|(i, label)| view! {
                                <li data-testid="check" class=move || match results.get().get(i).copied().flatten() {
                                    Some(true) => "check pass",
                                    Some(false) => "check fail",
                                    None => "check",
                                }>
                                    <span class="mark" aria-hidden="true">{move || match results.get().get(i).copied().flatten() {
                                        Some(true) => "✓",
                                        _ => "○",
                                    }}</span>
                                    {label}
                                    <span class="sr">{move || match results.get().get(i).copied().flatten() {
                                        Some(true) => " (done)",
                                        _ => " (not yet)",
                                    }}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                })
            }}
            <p class="ok" data-testid="step-done" role="status" hidden=move || !done()>
                {move || if active.step.get() + 1 == count { "Lesson complete!" } else { "Step done: on to the next." }}
            </p>
            <div class="row">
                <button data-testid="step-back" disabled=move || active.step.get() == 0
                    on:click=move |_| active.step.update(|s| *s = s.saturating_sub(1))>"Previous"</button>
                <button class="primary" data-testid="step-next" disabled=move || { active.step.get() + 1 >= count }
                    on:click=move |_| active.step.update(|s| *s += 1)>"Next step"</button>
                <button data-testid="lesson-close" on:click=move |_| active.lesson.set(None)>"Leave the lesson"</button>
            </div>
        </div>
    }
}

const TEACHER_TEMPLATE: &str = "# First step\nWhat to do, in markdown.\ncheck: deployed inccounter\ncheck: state inccounter counter = 3\n---\n# Second step\nMore to do.\ncheck: balance alice >= 1\n";

/// A teacher turns the current session into a lesson link.
#[component]
fn TeacherForm() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let title = RwSignal::new(String::new());
    let text = RwSignal::new(TEACHER_TEMPLATE.to_owned());
    let link = RwSignal::new(None::<String>);
    let note: Note = RwSignal::new(None);
    let make = move |_| {
        let Some(view) = shared.view.get_untracked() else {
            return;
        };
        match Lesson::from_teacher(
            &title.get_untracked(),
            &text.get_untracked(),
            &view.session.to_json(),
        ) {
            Ok(lesson) => {
                let fragment = lesson.to_link();
                let location = window().location();
                let base = location.href().unwrap_or_default();
                let base = base.split('#').next().unwrap_or_default().to_owned();
                link.set(Some(format!("{base}#{fragment}")));
                note.set(Some(Ok(format!(
                    "A lesson of {} over this chain.",
                    isc_app::model::words::count(lesson.steps.len() as u64, "step")
                ))));
            }
            Err(err) => note.set(Some(Err(err))),
        }
    };
    view! {
        <details class="more" data-testid="teacher">
            <summary>"Turn this session into a lesson"</summary>
            <div class="form">
                <label>"Title" <input data-testid="teacher-title" prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))/></label>
                <label>
                    "Steps " <span class="ty">"separated by ---; “# Title” lines; check: deployed C | state C KEY = V | view C ENTRY ARGS… = V | balance NAME >= N | receipt C.ENTRY (@name is an account)"</span>
                    <textarea class="code" rows="8" data-testid="teacher-steps" prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </label>
                <button data-testid="teacher-make" on:click=make>"Make lesson link"</button>
                <Message message=note/>
                {move || link.get().map(|url| {
                    let size = url.len();
                    view! {
                        <input readonly aria-label="lesson link" data-testid="lesson-link" prop:value=url/>
                        <span class="hint">{format!("{size} characters")}</span>
                    }
                })}
            </div>
        </details>
    }
}
