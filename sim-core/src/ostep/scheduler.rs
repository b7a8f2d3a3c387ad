//! `scheduler` (cpu-sched/scheduler.py): FIFO, SJF and RR on jobs that all arrive at
//! time 0, with response, turnaround and wait times.
//!
//! The order of execution comes from [`crate::sched`] (`Fifo`, `Sjf`, `RoundRobin`).
//! Job lengths may be decimals (`-l 2.5,1`): the policies work in integer units of
//! `10^-d` seconds, where `d` is the largest number of decimals given, while the
//! printed times repeat the script's float arithmetic in the same order so that
//! rounding matches.

use super::optparse::{self, opt, Kind, Opt};
use super::{println, pyfmt, OstepError};
use crate::sched::metrics::{self, JobTimes};
use crate::sched::pyrandom::PyRandom;
use crate::sched::{After, Fifo, JobInfo, RoundRobin, Scheduler, Sjf, ThreadId};

pub(super) const OPTIONS: &[Opt] = &[
    opt('s', "seed", "seed", Kind::Int),
    opt('j', "jobs", "jobs", Kind::Int),
    opt('l', "jlist", "jlist", Kind::Str),
    opt('m', "maxlen", "maxlen", Kind::Int),
    opt('p', "policy", "policy", Kind::Str),
    opt('q', "quantum", "quantum", Kind::Int),
    opt('c', "", "solve", Kind::Flag),
];

/// Most decimals accepted in a job length.
const MAX_DECIMALS: u32 = 6;

#[derive(Clone, Debug)]
struct Job {
    id: usize,
    /// Length as Python holds it (a float for `-l`, an int for random jobs).
    len: f64,
    /// What `str(runtime)` prints.
    shown: String,
}

fn bad(msg: String) -> OstepError {
    OstepError::Invalid(msg)
}

pub fn run(args: &[String], out: &mut String) -> Result<(), OstepError> {
    let o = optparse::parse(OPTIONS, args)?;
    let seed = o.int("seed", 0);
    let mut rng = PyRandom::new(seed);
    let policy = o.str("policy", "FIFO");
    let jlist = o.str("jlist", "");
    let (njobs, maxlen) = (o.int("jobs", 3), o.int("maxlen", 10));
    println(out, &format!("ARG policy {policy}"));
    if jlist.is_empty() {
        println(out, &format!("ARG jobs {njobs}"));
        println(out, &format!("ARG maxlen {maxlen}"));
        println(out, &format!("ARG seed {seed}"));
    } else {
        println(out, &format!("ARG jlist {jlist}"));
    }
    println(out, "");
    println(out, "Here is the job list, with the run time of each job: ");
    let mut jobs = Vec::new();
    if jlist.is_empty() {
        for id in 0..usize::try_from(njobs).unwrap_or(0) {
            let len = pyfmt::trunc(maxlen as f64 * rng.random()) + 1;
            let shown = len.to_string();
            println(out, &format!("  Job {id} ( length = {shown} )"));
            jobs.push(Job {
                id,
                len: len as f64,
                shown,
            });
        }
    } else {
        for (id, text) in jlist.split(',').enumerate() {
            let len = pyfmt::parse_float(text).ok_or_else(|| {
                bad(format!(
                    "ValueError: could not convert string to float: '{text}'"
                ))
            })?;
            jobs.push(Job {
                id,
                len,
                shown: pyfmt::float_repr(len),
            });
        }
        for j in &jobs {
            println(out, &format!("  Job {} ( length = {} )", j.id, j.shown));
        }
    }
    println(out, "\n");
    if !o.flag("solve") {
        for line in [
            "Compute the turnaround time, response time, and wait time for each job.",
            "When you are done, run this program again, with the same arguments,",
            "but with -c, which will thus provide you with the answers. You can use",
            "-s <somenumber> or your own job list (-l 10,15,20 for example)",
            "to generate different problems for yourself.",
            "",
        ] {
            println(out, line);
        }
        return Ok(());
    }
    println(out, "** Solutions **\n");
    match policy {
        "FIFO" => run_to_completion(&mut Fifo::new(), &jobs, out),
        "SJF" => run_to_completion(&mut Sjf::new(), &jobs, out),
        "RR" => round_robin(&jobs, o.int("quantum", 1), out),
        other => {
            println(out, &format!("Error: Policy {other} is not available."));
            Ok(())
        }
    }
}

/// Integer units for the policies: the smallest power of ten making every length whole.
fn unit_scale(values: &[f64]) -> Result<f64, OstepError> {
    for d in 0..=MAX_DECIMALS {
        let scale = 10f64.powi(d as i32);
        let whole = values.iter().all(|&v| {
            let s = v * scale;
            (s - s.round()).abs() <= 1e-9 * s.abs().max(1.0)
        });
        if whole {
            return Ok(scale);
        }
    }
    Err(bad(format!(
        "job lengths need at most {MAX_DECIMALS} decimals"
    )))
}

fn units(v: f64, scale: f64) -> Result<u64, OstepError> {
    let u = (v * scale).round();
    if !(0.0..9.0e15).contains(&u) {
        return Err(bad(format!(
            "job length {} is not supported (must be 0 or more)",
            pyfmt::float_repr(v)
        )));
    }
    Ok(u as u64)
}

fn admit_all(s: &mut dyn Scheduler, jobs: &[Job], scale: f64) -> Result<Vec<u64>, OstepError> {
    let mut lens = Vec::with_capacity(jobs.len());
    for j in jobs {
        let len = units(j.len, scale)?;
        let info = JobInfo {
            expected_len: Some(len),
            ..JobInfo::default()
        };
        s.admit(ThreadId(j.id as u32), &info, 0);
        lens.push(len);
    }
    Ok(lens)
}

/// FIFO and SJF: the policy picks, the job runs to completion.
fn run_to_completion(
    s: &mut dyn Scheduler,
    jobs: &[Job],
    out: &mut String,
) -> Result<(), OstepError> {
    let scale = unit_scale(&jobs.iter().map(|j| j.len).collect::<Vec<_>>())?;
    let lens = admit_all(s, jobs, scale)?;
    let mut order = Vec::new();
    let mut now = 0u64;
    while let Some(t) = s.pick(now) {
        let idx = t.0 as usize;
        now += lens[idx];
        s.charge(t, lens[idx], now, After::Exited);
        order.push(&jobs[idx]);
    }
    println(out, "Execution trace:");
    let mut thetime = 0.0f64;
    for j in &order {
        println(
            out,
            &format!(
                "  [ time {:>3} ] Run job {} for {:.2} secs ( DONE at {:.2} )",
                pyfmt::trunc(thetime),
                j.id,
                j.len,
                thetime + j.len
            ),
        );
        thetime += j.len;
    }
    println(out, "\nFinal statistics:");
    let mut t = 0.0f64;
    let mut times = Vec::new();
    for j in &order {
        // Every job arrives at 0 and waits until it runs.
        let job = JobTimes {
            arrival: 0.0,
            first_run: Some(t),
            completion: Some(t + j.len),
            wait: t,
        };
        println(out, &stats(j.id, &job));
        times.push(job);
        t += j.len;
    }
    average(&times, out)
}

fn stats(id: usize, j: &JobTimes<f64>) -> String {
    stats_line(
        id,
        j.response().unwrap_or(-1.0),
        j.turnaround().unwrap_or(0.0),
        j.wait,
    )
}

fn stats_line(id: usize, response: f64, turnaround: f64, wait: f64) -> String {
    format!("  Job {id:>3} -- Response: {response:>3.2}  Turnaround {turnaround:>3.2}  Wait {wait:>3.2}")
}

/// The averages (over the jobs, which have all completed: `sched::metrics`).
fn average(jobs: &[JobTimes<f64>], out: &mut String) -> Result<(), OstepError> {
    let Some(a) = metrics::averages(jobs) else {
        return Err(bad("ZeroDivisionError: no jobs".to_string()));
    };
    println(
        out,
        &format!(
            "\n  Average -- Response: {:>3.2}  Turnaround {:>3.2}  Wait {:>3.2}\n",
            a.response, a.turnaround, a.wait
        ),
    );
    Ok(())
}

fn round_robin(jobs: &[Job], quantum: i64, out: &mut String) -> Result<(), OstepError> {
    if quantum <= 0 {
        // The script loops forever here.
        return Err(bad("RR needs a quantum of at least 1".to_string()));
    }
    let q = quantum as f64;
    let mut values: Vec<f64> = jobs.iter().map(|j| j.len).collect();
    values.push(q);
    let scale = unit_scale(&values)?;
    let q_units = units(q, scale)?;
    let mut rr = RoundRobin::new(q_units);
    admit_all(&mut rr, jobs, scale)?;
    println(out, "Execution trace:");
    let n = jobs.len();
    let mut remaining: Vec<f64> = jobs.iter().map(|j| j.len).collect();
    let (mut response, mut turnaround) = (vec![None; n], vec![0.0f64; n]);
    let (mut wait, mut lastran) = (vec![0.0f64; n], vec![0.0f64; n]);
    let (mut thetime, mut now) = (0.0f64, 0u64);
    while let Some(t) = rr.pick(now) {
        let i = t.0 as usize;
        response[i].get_or_insert(thetime);
        wait[i] += thetime - lastran[i];
        let time_col = pyfmt::trunc(thetime);
        // The script decides on its float remainder; the policy follows that decision.
        let ranfor = if remaining[i] > q {
            remaining[i] -= q;
            println(
                out,
                &format!("  [ time {time_col:>3} ] Run job {i:>3} for {q:.2} secs"),
            );
            now += q_units;
            rr.charge(t, q_units, now, After::Ready);
            q
        } else {
            let ran = remaining[i];
            println(
                out,
                &format!(
                    "  [ time {time_col:>3} ] Run job {i:>3} for {ran:.2} secs ( DONE at {:.2} )",
                    thetime + ran
                ),
            );
            turnaround[i] = thetime + ran;
            let ran_units = units(ran.max(0.0), scale)?;
            now += ran_units;
            rr.charge(t, ran_units, now, After::Exited);
            ran
        };
        thetime += ranfor;
        lastran[i] = thetime;
    }
    println(out, "\nFinal statistics:");
    let mut times = Vec::new();
    for i in 0..n {
        let job = JobTimes {
            arrival: 0.0,
            first_run: response[i],
            completion: Some(turnaround[i]),
            wait: wait[i],
        };
        println(out, &stats(i, &job));
        times.push(job);
    }
    average(&times, out)
}
