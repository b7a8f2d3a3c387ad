//! What the user (or the host page) can ask of the page, and where the
//! open scenario came from.

use sim_core::session::{Granularity, Policy, Scenario};

use super::{ConceptQuery, HostCommand};

/// Where the open scenario came from: what a reload reopens, and whether
/// an edit changes it in place (only "my scenarios" are changed in place).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Builtin(String),
    /// One of "my scenarios", by its id in local storage.
    Mine(String),
    /// A share link (`#s=`).
    Link,
    /// Loaded by the host page of an embedded frame.
    Host,
    /// The homework problem drawn from this seed (`?homework=`).
    Homework(u64),
    Bench,
}

/// Everything the user can ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Open a built-in scenario by name.
    Load(String),
    /// Open a scenario (one of mine, a link's), at `cycle` if given.
    Open {
        origin: Origin,
        scenario: Box<Scenario>,
        cycle: Option<u64>,
    },
    /// The scenario was edited. Editing anything but one of "my scenarios"
    /// makes a copy under `fresh_id` first, so a built-in never changes.
    Edit {
        scenario: Box<Scenario>,
        fresh_id: String,
    },
    /// A command from the page embedding this one (`postMessage`).
    Host(HostCommand),
    Step(Granularity),
    Back(Granularity),
    Run,
    Pause,
    ToggleRun,
    /// One animation frame passed while running (`dt_ms` since the last
    /// one; `work_ms`: the previous frame's whole work, when measured).
    Tick {
        dt_ms: f64,
        work_ms: Option<f64>,
    },
    Seek(u64),
    Reset,
    ToggleBreakpoint {
        program: usize,
        line: u32,
    },
    SetSpeed(usize),
    /// Whether a run pauses at each key moment of the lesson it reaches.
    SetPauseAtMoments(bool),
    /// Open a concept view (and choose what it shows).
    Concept(ConceptQuery),
    /// Answer a question of the lesson; the engine grades it.
    Answer {
        question: String,
        answer: String,
    },
    /// Find the open lesson's key moments (after the first render: see
    /// `AppState::moments_due`).
    FindMoments,
    /// Open the homework problem drawn from this seed.
    NewHomework(u64),
    /// Grade homework cells: (job, "response" | "turnaround" | "wait", answer).
    CheckHomework(Vec<(usize, String, String)>),
    /// Run the scenario under each of these policies (2 to 4).
    Compare(Vec<Policy>),
    /// Draw the lottery unfairness plot (OSTEP figure 9.2) of the scenario.
    PlotUnfairness,
}
