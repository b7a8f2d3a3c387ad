//! `lottery` (cpu-sched-lottery/lottery.py): each quantum a winning ticket among the
//! unfinished jobs. Draws come from [`crate::sched::Lottery`] in
//! [`LotteryDrawMode::Scaled`] mode with the script's range 1000001, using the same
//! generator that produced the random job list.

use super::optparse::{self, opt, Kind, Opt};
use super::{println, OstepError};
use crate::sched::pyrandom::PyRandom;
use crate::sched::{After, JobInfo, Lottery, LotteryDrawMode, Scheduler, ThreadId};

pub(super) const OPTIONS: &[Opt] = &[
    opt('s', "seed", "seed", Kind::Int),
    opt('j', "jobs", "jobs", Kind::Int),
    opt('l', "jlist", "jlist", Kind::Str),
    opt('m', "maxlen", "maxlen", Kind::Int),
    opt('T', "maxticket", "maxticket", Kind::Int),
    opt('q', "quantum", "quantum", Kind::Int),
    opt('c', "compute", "solve", Kind::Flag),
];

/// lottery.py: `int(random.random() * 1000001)`.
const DRAW_RANGE: u64 = 1_000_001;

#[derive(Clone, Copy, Debug)]
struct Job {
    left: i64,
    tickets: i64,
}

fn bad(msg: String) -> OstepError {
    OstepError::Invalid(msg)
}

/// `x = 0; while x == 0: x = int(limit * random.random())`.
fn nonzero_draw(rng: &mut PyRandom, limit: i64, what: &str) -> Result<i64, OstepError> {
    if limit <= 1 {
        // The script loops forever: int(limit * r) is always 0.
        return Err(bad(format!("{what} must be at least 2 for random jobs")));
    }
    loop {
        let v = (limit as f64 * rng.random()).trunc() as i64;
        if v != 0 {
            return Ok(v);
        }
    }
}

pub fn run(args: &[String], out: &mut String) -> Result<(), OstepError> {
    let o = optparse::parse(OPTIONS, args)?;
    let seed = o.int("seed", 0);
    let mut rng = PyRandom::new(seed);
    let jlist = o.str("jlist", "");
    let quantum = o.int("quantum", 1);
    for (k, v) in [
        ("jlist", jlist.to_string()),
        ("jobs", o.int("jobs", 3).to_string()),
        ("maxlen", o.int("maxlen", 10).to_string()),
        ("maxticket", o.int("maxticket", 100).to_string()),
        ("quantum", quantum.to_string()),
        ("seed", seed.to_string()),
    ] {
        println(out, &format!("ARG {k} {v}"));
    }
    println(out, "");
    println(out, "Here is the job list, with the run time of each job: ");
    let mut jobs = Vec::new();
    if jlist.is_empty() {
        for n in 0..o.int("jobs", 3).max(0) {
            let left = nonzero_draw(&mut rng, o.int("maxlen", 10), "maxlen")?;
            let tickets = nonzero_draw(&mut rng, o.int("maxticket", 100), "maxticket")?;
            println(
                out,
                &format!("  Job {n} ( length = {left}, tickets = {tickets} )"),
            );
            jobs.push(Job { left, tickets });
        }
    } else {
        for entry in jlist.split(',') {
            let parsed = entry.split_once(':').and_then(|(l, t)| {
                Some((optparse::python_int(l, 10)?, optparse::python_int(t, 10)?))
            });
            let Some((left, tickets)) = parsed else {
                return Err(bad(format!(
                    "ValueError: bad job '{entry}' (want length:tickets)"
                )));
            };
            jobs.push(Job { left, tickets });
        }
        for (n, j) in jobs.iter().enumerate() {
            println(
                out,
                &format!("  Job {n} ( length = {}, tickets = {} )", j.left, j.tickets),
            );
        }
    }
    println(out, "\n");
    let run_total: i64 = jobs.iter().map(|j| j.left).sum();
    if !o.flag("solve") {
        println(
            out,
            "Here is the set of random numbers you will need (at most):",
        );
        for _ in 0..run_total.max(0) {
            let r = (rng.random() * DRAW_RANGE as f64).trunc() as u64;
            println(out, &format!("Random {r}"));
        }
        return Ok(());
    }
    println(out, "** Solutions **\n");
    if jobs.iter().any(|j| j.left < 0 || j.tickets < 0) || quantum < 0 {
        return Err(bad(
            "negative lengths, tickets or quantum are not supported".to_string(),
        ));
    }
    let mut lottery = Lottery::with_rng(
        quantum.max(1) as u64,
        rng,
        LotteryDrawMode::Scaled { range: DRAW_RANGE },
    );
    for (n, j) in jobs.iter().enumerate() {
        let info = JobInfo {
            expected_len: Some(j.left as u64),
            tickets: u32::try_from(j.tickets)
                .map_err(|_| bad(format!("job {n}: too many tickets")))?,
        };
        lottery.admit(ThreadId(n as u32), &info, 0);
    }
    draw_loop(&mut lottery, &mut jobs, quantum, run_total, out)
}

fn draw_loop(
    lottery: &mut Lottery,
    jobs: &mut [Job],
    quantum: i64,
    run_total: i64,
    out: &mut String,
) -> Result<(), OstepError> {
    let mut remaining = jobs.len();
    let mut clock = 0i64;
    for _ in 0..run_total {
        let (Some(t), Some(draw)) = (lottery.pick(clock as u64), lottery.last_draw()) else {
            return Err(bad("ZeroDivisionError: no tickets left".to_string()));
        };
        let w = t.0 as usize;
        println(
            out,
            &format!(
                "Random {} -> Winning ticket {} (of {}) -> Run {w}",
                draw.raw, draw.winning_ticket, draw.total
            ),
        );
        println(out, "  Jobs:");
        for (n, j) in jobs.iter().enumerate() {
            let star = if n == w { '*' } else { ' ' };
            let tix = if j.left > 0 {
                j.tickets.to_string()
            } else {
                "---".to_string()
            };
            out.push_str(&format!(
                " ({star} job:{n} timeleft:{} tix:{tix} ) ",
                j.left
            ));
        }
        println(out, "");
        let job = &mut jobs[w];
        job.left = if job.left >= quantum {
            job.left - quantum
        } else {
            0
        };
        clock += quantum;
        if job.left == 0 {
            println(out, &format!("--> JOB {w} DONE at time {clock}"));
            job.tickets = 0;
            remaining -= 1;
            lottery.charge(t, quantum.max(1) as u64, clock as u64, After::Exited);
        } else {
            lottery.charge(t, quantum.max(1) as u64, clock as u64, After::Ready);
        }
        if remaining == 0 {
            println(out, "");
            break;
        }
    }
    Ok(())
}
