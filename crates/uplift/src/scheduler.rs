//! Supervised background jobs for `uplift serve`. Each periodic job runs in
//! its own task; every run is spawned on its own, so a run that returns an
//! error or panics is logged with the job's name and the job is restarted
//! after a delay: a job is never silently lost.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

/// One run of a job.
pub type Run = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// A periodic job: `run` is called at once, then `every` after each run
/// that succeeds, or `retry_after` after one that fails or panics.
#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    pub retry_after: Duration,
    run: Arc<dyn Fn() -> Run + Send + Sync>,
}

impl Job {
    pub fn new<F, Fut>(name: &'static str, every: Duration, retry_after: Duration, run: F) -> Job
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Job {
            name,
            every,
            retry_after,
            run: Arc::new(move || Box::pin(run())),
        }
    }
}

/// The message of a panic, as far as it can be told.
fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with no message".to_string()
    }
}

/// Runs `job` until the returned task is aborted (or the runtime stops).
pub fn supervise(job: Job) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut failures: u64 = 0;
        loop {
            // Its own task, so that a panic is caught here and not lost.
            let outcome = tokio::spawn((job.run)()).await;
            let retry = job.retry_after.as_secs_f64();
            let delay = match outcome {
                Ok(Ok(())) => {
                    if failures > 0 {
                        tracing::info!(job = job.name, failures, "background job recovered");
                    }
                    failures = 0;
                    job.every
                }
                Ok(Err(e)) => {
                    failures += 1;
                    tracing::error!(
                        job = job.name,
                        failures,
                        retry_in_secs = retry,
                        error = %format!("{e:#}"),
                        "background job failed; restarting it after a delay"
                    );
                    job.retry_after
                }
                Err(e) => {
                    failures += 1;
                    let why = if e.is_panic() {
                        panic_message(e.into_panic())
                    } else {
                        "cancelled".to_string()
                    };
                    tracing::error!(
                        job = job.name,
                        failures,
                        retry_in_secs = retry,
                        panic = %why,
                        "background job panicked; restarting it after a delay"
                    );
                    job.retry_after
                }
            };
            tokio::time::sleep(delay).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    /// Log lines written by the subscriber under test.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Capture {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_job_that_fails_then_panics_is_logged_and_restarted_until_it_succeeds() {
        let logs = Capture::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        // The test runtime has one thread, so every task logs here.
        let _guard = tracing::subscriber::set_default(subscriber);

        let calls = Arc::new(AtomicUsize::new(0));
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<usize>();
        let job = Job::new(
            "flaky-job",
            Duration::from_secs(3600),
            Duration::from_millis(20),
            {
                let calls = calls.clone();
                move || {
                    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                    let done = done_tx.clone();
                    async move {
                        match n {
                            1 => anyhow::bail!("the relay is unreachable"),
                            2 => panic!("boom in run {n}"),
                            _ => {
                                let _ = done.send(n);
                                Ok(())
                            }
                        }
                    }
                }
            },
        );
        let started = std::time::Instant::now();
        let handle = supervise(job);
        let n = tokio::time::timeout(Duration::from_secs(10), done_rx.recv())
            .await
            .expect("the job succeeded in the end");
        assert_eq!(n, Some(3));
        // Restarted after the delay each time, not at once.
        assert!(started.elapsed() >= Duration::from_millis(40));
        // Then it waits `every` (an hour): no fourth run.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        handle.abort();

        let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let failed = lines
            .iter()
            .find(|l| l.contains("background job failed"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            failed.contains("flaky-job") && failed.contains("the relay is unreachable"),
            "{failed}"
        );
        let panicked = lines
            .iter()
            .find(|l| l.contains("background job panicked"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            panicked.contains("flaky-job") && panicked.contains("boom in run 2"),
            "{panicked}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("recovered") && l.contains("flaky-job")),
            "{text}"
        );
    }
}
