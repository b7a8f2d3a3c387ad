//! `mlfq` (cpu-sched-mlfq/mlfq.py): the multi-level feedback queue with arrivals,
//! periodic I/O, boosts, `-S` (stay after I/O) and `-I` (I/O bump to the front).
//!
//! Every scheduling decision is made by [`crate::sched::Mlfq`]; this file reproduces
//! the script's event loop and output. The script numbers queues with `n-1` as the
//! highest priority, so its PRIORITY is `n - 1 - level`.

use super::optparse::{self, opt, Kind, Opt};
use super::{println, OstepError};
use crate::sched::metrics::{self, JobTimes};
use crate::sched::pyrandom::PyRandom;
use crate::sched::{After, JobInfo, Mlfq, MlfqConfig, MlfqLevel, SchedEvent, Scheduler, ThreadId};
use std::collections::BTreeMap;

pub(super) const OPTIONS: &[Opt] = &[
    opt('s', "seed", "seed", Kind::Int),
    opt('n', "numQueues", "numQueues", Kind::Int),
    opt('q', "quantum", "quantum", Kind::Int),
    opt('a', "allotment", "allotment", Kind::Int),
    opt('Q', "quantumList", "quantumList", Kind::Str),
    opt('A', "allotmentList", "allotmentList", Kind::Str),
    opt('j', "numJobs", "numJobs", Kind::Int),
    opt('m', "maxlen", "maxlen", Kind::Int),
    opt('M', "maxio", "maxio", Kind::Int),
    opt('B', "boost", "boost", Kind::Int),
    opt('i', "iotime", "ioTime", Kind::Int),
    opt('S', "stay", "stay", Kind::Flag),
    opt('I', "iobump", "iobump", Kind::Flag),
    opt('l', "jlist", "jlist", Kind::Str),
    opt('c', "", "solve", Kind::Flag),
];

#[derive(Clone, Debug)]
pub(super) struct Job {
    pub(super) start: i64,
    pub(super) run: i64,
    pub(super) io_freq: i64,
    time_left: i64,
    first_run: Option<i64>,
    end: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arrival {
    Begins,
    IoDone,
}

fn bad(msg: String) -> OstepError {
    OstepError::Invalid(msg)
}

fn int_list(text: &str, what: &str) -> Result<Vec<i64>, OstepError> {
    text.split(',')
        .map(|v| {
            optparse::python_int(v, 10)
                .ok_or_else(|| bad(format!("ValueError: invalid {what} '{v}'")))
        })
        .collect()
}

/// Levels, highest priority first, from -n/-q/-a or -Q/-A.
pub(super) fn levels(o: &optparse::Parsed, out: &mut String) -> Result<Vec<MlfqLevel>, OstepError> {
    let quanta = match o.str("quantumList", "") {
        "" => {
            let n = o.int("numQueues", 3);
            if n < 1 {
                return Err(bad("KeyError: at least one queue is needed".to_string()));
            }
            vec![o.int("quantum", 10); n as usize]
        }
        list => int_list(list, "quantum")?,
    };
    let allots = match o.str("allotmentList", "") {
        "" => vec![o.int("allotment", 1); quanta.len()],
        list => {
            let a = int_list(list, "allotment")?;
            if a.len() != quanta.len() {
                println(
                    out,
                    "number of allotments specified must match number of quantums",
                );
                return Err(OstepError::Exit(1));
            }
            // The script checks every queue but the lowest.
            if a[..a.len() - 1].iter().any(|&x| x <= 0) {
                println(out, "allotment must be positive integer");
                return Err(OstepError::Exit(1));
            }
            a
        }
    };
    Ok(quanta
        .into_iter()
        .zip(allots)
        .map(|(quantum, allotment)| MlfqLevel { quantum, allotment })
        .collect())
}

pub(super) fn load_jobs(o: &optparse::Parsed, out: &mut String) -> Result<Vec<Job>, OstepError> {
    let job = |start, run, io_freq| Job {
        start,
        run,
        io_freq,
        time_left: run,
        first_run: None,
        end: None,
    };
    let jlist = o.str("jlist", "");
    if jlist.is_empty() {
        // mlfq.py seeds twice with the same value: one generator state.
        let mut rng = PyRandom::new(o.int("seed", 0));
        let (maxlen, maxio) = (o.int("maxlen", 100) as f64, o.int("maxio", 10) as f64);
        let mut jobs = Vec::new();
        for _ in 0..o.int("numJobs", 3).max(0) {
            let run = (rng.random() * (maxlen - 1.0) + 1.0).trunc() as i64;
            let io = (rng.random() * (maxio - 1.0) + 1.0).trunc() as i64;
            jobs.push(job(0, run, io));
        }
        return Ok(jobs);
    }
    let mut jobs = Vec::new();
    for spec in jlist.split(':') {
        let fields: Vec<&str> = spec.split(',').collect();
        if fields.len() != 3 {
            println(
                out,
                "Badly formatted job string. Should be x1,y1,z1:x2,y2,z2:...",
            );
            println(
                out,
                "where x is the startTime, y is the runTime, and z is the I/O frequency.",
            );
            return Err(OstepError::Exit(1));
        }
        let v = int_list(spec, "job field")?;
        jobs.push(job(v[0], v[1], v[2]));
    }
    Ok(jobs)
}

fn print_inputs(o: &optparse::Parsed, levels: &[MlfqLevel], jobs: &[Job], out: &mut String) {
    let n = levels.len();
    println(out, "Here is the list of inputs:");
    println(out, &format!("OPTIONS jobs {}", jobs.len()));
    println(out, &format!("OPTIONS queues {n}"));
    for (level, l) in levels.iter().enumerate() {
        let q = n - 1 - level;
        println(
            out,
            &format!("OPTIONS allotments for queue {q:>2} is {:>3}", l.allotment),
        );
        println(
            out,
            &format!(
                "OPTIONS quantum length for queue {q:>2} is {:>3}",
                l.quantum
            ),
        );
    }
    let py_bool = |b: bool| if b { "True" } else { "False" };
    println(out, &format!("OPTIONS boost {}", o.int("boost", 0)));
    println(out, &format!("OPTIONS ioTime {}", o.int("ioTime", 5)));
    println(
        out,
        &format!("OPTIONS stayAfterIO {}", py_bool(o.flag("stay"))),
    );
    println(
        out,
        &format!("OPTIONS iobump {}", py_bool(o.flag("iobump"))),
    );
    println(out, "\n");
    for line in [
        "For each job, three defining characteristics are given:",
        "  startTime : at what time does the job enter the system",
        "  runTime   : the total CPU time needed by the job to finish",
        "  ioFreq    : every ioFreq time units, the job issues an I/O",
        "              (the I/O takes ioTime units to complete)\n",
        "Job List:",
    ] {
        println(out, line);
    }
    for (i, j) in jobs.iter().enumerate() {
        println(
            out,
            &format!(
                "  Job {i:>2}: startTime {:>3} - runTime {:>3} - ioFreq {:>3}",
                j.start, j.run, j.io_freq
            ),
        );
    }
    println(out, "");
}

pub fn run(args: &[String], out: &mut String) -> Result<(), OstepError> {
    let o = optparse::parse(OPTIONS, args)?;
    let levels = levels(&o, out)?;
    let mut jobs = load_jobs(&o, out)?;
    print_inputs(&o, &levels, &jobs, out);
    if !o.flag("solve") {
        for line in [
            "Compute the execution trace for the given workloads.",
            "If you would like, also compute the response and turnaround",
            "times for each of the jobs.",
            "",
            "Use the -c flag to get the exact results when you are finished.\n",
        ] {
            println(out, line);
        }
        return Ok(());
    }
    let boost = o.int("boost", 0);
    let config = MlfqConfig {
        levels,
        boost_period: u64::try_from(boost).unwrap_or(0),
        stay_on_io: o.flag("stay"),
        io_to_front: o.flag("iobump"),
        ..MlfqConfig::uniform(1, 1, 1)
    };
    let mut mlfq = Mlfq::new(config);
    println(out, "\nExecution Trace:\n");
    simulate(&mut mlfq, &mut jobs, boost, o.int("ioTime", 5), out)?;
    print_stats(&jobs, out)
}

/// The script's main loop: one iteration per time unit.
fn simulate(
    mlfq: &mut Mlfq,
    jobs: &mut [Job],
    boost: i64,
    io_time: i64,
    out: &mut String,
) -> Result<(), OstepError> {
    let top = mlfq.config().levels.len() - 1;
    let mut events: BTreeMap<i64, Vec<(usize, Arrival)>> = BTreeMap::new();
    for (i, j) in jobs.iter().enumerate() {
        events
            .entry(j.start)
            .or_default()
            .push((i, Arrival::Begins));
    }
    let (mut now, mut finished) = (0i64, 0usize);
    while finished < jobs.len() {
        let tick = u64::try_from(now).unwrap_or(0);
        if mlfq.on_tick(tick) == Some(SchedEvent::Boost) {
            println(out, &format!("[ time {now} ] BOOST ( every {boost} )"));
        }
        for (j, kind) in events.remove(&now).unwrap_or_default() {
            let t = ThreadId(j as u32);
            match kind {
                Arrival::Begins => {
                    println(out, &format!("[ time {now} ] JOB BEGINS by JOB {j}"));
                    mlfq.admit(t, &JobInfo::default(), tick);
                }
                Arrival::IoDone => {
                    println(out, &format!("[ time {now} ] IO_DONE by JOB {j}"));
                    mlfq.on_wake(t, tick);
                }
            }
        }
        let Some(t) = mlfq.pick(tick) else {
            if events.range(now + 1..).next().is_none() {
                // The script prints IDLE forever: an arrival or I/O lies in the past.
                return Err(bad(format!(
                    "at time {now}: nothing left to run or to arrive (start time or -i below 1?)"
                )));
            }
            println(out, &format!("[ time {now} ] IDLE"));
            now += 1;
            continue;
        };
        let i = t.0 as usize;
        let view = mlfq.job(t).ok_or_else(|| bad(format!("job {i} unknown")))?;
        let job = &mut jobs[i];
        job.time_left -= 1;
        job.first_run.get_or_insert(now);
        println(
            out,
            &format!(
                "[ time {now} ] Run JOB {i} at PRIORITY {} [ TICKS {} ALLOT {} TIME {} (of {}) ]",
                top - view.level,
                view.ticks_left - 1,
                view.allot_left,
                job.time_left,
                job.run
            ),
        );
        if job.time_left < 0 {
            return Err(bad(
                "Error: should never have less than 0 time left to run".to_string()
            ));
        }
        now += 1;
        let tick = u64::try_from(now).unwrap_or(0);
        if job.time_left == 0 {
            println(out, &format!("[ time {now} ] FINISHED JOB {i}"));
            finished += 1;
            job.end = Some(now);
            mlfq.charge(t, 1, tick, After::Exited);
            continue;
        }
        let done = job.run - job.time_left;
        if job.io_freq > 0 && done % job.io_freq == 0 {
            println(out, &format!("[ time {now} ] IO_START by JOB {i}"));
            println(out, "IO DONE");
            events
                .entry(now + io_time)
                .or_default()
                .push((i, Arrival::IoDone));
            mlfq.charge(t, 1, tick, After::Blocked);
        } else {
            mlfq.charge(t, 1, tick, After::Ready);
        }
    }
    Ok(())
}

fn print_stats(jobs: &[Job], out: &mut String) -> Result<(), OstepError> {
    println(out, "");
    println(out, "Final statistics:");
    let mut times = Vec::new();
    for (i, j) in jobs.iter().enumerate() {
        // The simulation runs every job to completion.
        let t = JobTimes {
            arrival: j.start,
            first_run: Some(j.first_run.unwrap_or(0)),
            completion: Some(j.end.unwrap_or(0)),
            wait: 0,
        };
        let response = t.response().unwrap_or(0);
        let turnaround = t.turnaround().unwrap_or(0);
        println(
            out,
            &format!(
                "  Job {i:>2}: startTime {:>3} - response {response:>3} - turnaround {turnaround:>3}",
                j.start
            ),
        );
        times.push(t);
    }
    let n = jobs.len();
    let Some(avg) = metrics::averages(&times) else {
        return Err(bad("NameError: no jobs".to_string()));
    };
    println(
        out,
        &format!(
            "\n  Avg {:>2}: startTime n/a - response {:.2} - turnaround {:.2}",
            n - 1,
            avg.response,
            avg.turnaround
        ),
    );
    println(out, "\n");
    Ok(())
}
