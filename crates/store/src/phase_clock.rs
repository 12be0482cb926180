//! Where an operation's time goes, phase by phase, for debug logs that benchmarks read.

/// Elapsed time by phase, for a debug log line: `begin 0.1 ms, events 14.2 ms, …`.
pub(crate) struct PhaseClock {
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl PhaseClock {
    pub(crate) fn start() -> Self {
        PhaseClock {
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Ends the phase called `name` now.
    pub(crate) fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((name, now - self.last));
        self.last = now;
    }
}

impl std::fmt::Display for PhaseClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (name, took)) in self.laps.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name} {:.1} ms", took.as_secs_f64() * 1000.0)?;
        }
        Ok(())
    }
}
