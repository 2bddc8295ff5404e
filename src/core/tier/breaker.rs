//! A circuit breaker for commands on a connected but failing Redis (slow,
//! blackholed): after `threshold` consecutive failures it opens and commands
//! fail at once; after `cooldown` one probe command is let through, and its
//! success closes the breaker again.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

pub struct Breaker {
    state: Mutex<State>,
    threshold: u32,
    cooldown: Duration,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            state: Mutex::new(State::Closed { failures: 0 }),
            threshold: threshold.max(1),
            cooldown,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a command may be sent now.
    pub fn allow(&self) -> bool {
        let mut s = self.lock();
        match *s {
            State::Closed { .. } => true,
            State::Open { until } if Instant::now() >= until => {
                *s = State::HalfOpen { probing: true };
                true
            }
            State::Open { .. } => false,
            State::HalfOpen { probing: true } => false,
            State::HalfOpen { probing: false } => {
                *s = State::HalfOpen { probing: true };
                true
            }
        }
    }

    pub fn success(&self) {
        *self.lock() = State::Closed { failures: 0 };
    }

    /// Records a failure; true when this one opened the breaker.
    pub fn failure(&self) -> bool {
        let mut s = self.lock();
        let open = State::Open {
            until: Instant::now() + self.cooldown,
        };
        match *s {
            State::Closed { failures } if failures + 1 >= self.threshold => {
                *s = open;
                true
            }
            State::Closed { failures } => {
                *s = State::Closed { failures: failures + 1 };
                false
            }
            State::HalfOpen { .. } => {
                *s = open;
                true
            }
            State::Open { .. } => false,
        }
    }

    /// Open and still cooling down (commands are refused).
    pub fn is_open(&self) -> bool {
        matches!(*self.lock(), State::Open { until } if Instant::now() < until)
    }

    pub fn name(&self) -> &'static str {
        match *self.lock() {
            State::Closed { .. } => "closed",
            State::Open { until } if Instant::now() >= until => "half-open",
            State::Open { .. } => "open",
            State::HalfOpen { .. } => "half-open",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_threshold_and_probes_after_cooldown() {
        let b = Breaker::new(3, Duration::from_millis(30));
        assert!(b.allow());
        assert!(!b.failure());
        assert!(!b.failure());
        assert!(b.failure());
        assert_eq!(b.name(), "open");
        assert!(!b.allow());
        std::thread::sleep(Duration::from_millis(40));
        assert!(b.allow(), "one probe after the cooldown");
        assert!(!b.allow(), "only one");
        assert_eq!(b.name(), "half-open");
        b.success();
        assert_eq!(b.name(), "closed");
        assert!(b.allow());
    }

    #[test]
    fn a_failed_probe_reopens() {
        let b = Breaker::new(1, Duration::from_millis(10));
        assert!(b.failure());
        std::thread::sleep(Duration::from_millis(15));
        assert!(b.allow());
        assert!(b.failure());
        assert!(!b.allow());
    }

    #[test]
    fn a_success_resets_the_count() {
        let b = Breaker::new(2, Duration::from_secs(1));
        assert!(!b.failure());
        b.success();
        assert!(!b.failure());
        assert_eq!(b.name(), "closed");
    }
}
