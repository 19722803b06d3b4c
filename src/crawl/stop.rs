//! Asking a running crawl to stop (Ctrl-C, SIGTERM, a closing notebook kernel).

use tokio::sync::watch;

/// A one-way switch shared by whoever may stop a crawl and the crawl itself. Cloning shares it;
/// once stopped it stays stopped.
#[derive(Debug, Clone)]
pub struct StopSignal {
    sender: std::sync::Arc<watch::Sender<bool>>,
}

impl Default for StopSignal {
    fn default() -> Self {
        StopSignal::new()
    }
}

impl StopSignal {
    pub fn new() -> StopSignal {
        StopSignal {
            sender: std::sync::Arc::new(watch::Sender::new(false)),
        }
    }

    /// Asks the crawl to stop: visits in progress are abandoned (their sites stay pending) and
    /// the browsers are killed. May be called from any thread, any number of times.
    pub fn stop(&self) {
        self.sender.send_replace(true);
    }

    pub fn is_stopped(&self) -> bool {
        *self.sender.borrow()
    }

    /// Completes once [`StopSignal::stop`] has been called.
    pub async fn stopped(&self) {
        let mut receiver = self.sender.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = receiver.wait_for(|stopped| *stopped).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stop_reaches_every_clone_and_stays() {
        let signal = StopSignal::new();
        let clone = signal.clone();
        assert!(!clone.is_stopped());
        let waiter = tokio::spawn(async move { clone.stopped().await });
        signal.stop();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("the waiter wakes up")
            .expect("the waiter does not panic");
        assert!(signal.is_stopped());
        // Waiting after the fact returns at once.
        tokio::time::timeout(std::time::Duration::from_secs(1), signal.stopped())
            .await
            .expect("already stopped");
    }
}
