//! Group commit of journal entries: operations hand their entries to one writer thread, which
//! appends everything pending with a single sync and then acknowledges each sender. An operation
//! counts as finished (and its dependents may start) only once acknowledged, so a kill at any
//! moment loses no finished operation.

use std::sync::mpsc;
use std::thread;

use plinth_state::JournalEntry;
use tokio::sync::oneshot;

/// Appends a batch durably (write + sync), or says why it could not.
pub type AppendFn = Box<dyn FnMut(&[JournalEntry]) -> Result<(), String> + Send>;

type Request = (Vec<JournalEntry>, oneshot::Sender<Result<(), String>>);

/// The sending side of the journal writer.
pub struct JournalWriter {
    sender: Option<mpsc::Sender<Request>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl JournalWriter {
    /// Starts the writer thread around `append`.
    pub fn start(mut append: AppendFn) -> JournalWriter {
        let (sender, receiver) = mpsc::channel::<Request>();
        let thread = thread::spawn(move || {
            while let Ok(first) = receiver.recv() {
                let mut batch = vec![first];
                while let Ok(more) = receiver.try_recv() {
                    batch.push(more);
                }
                let entries: Vec<JournalEntry> =
                    batch.iter().flat_map(|(e, _)| e.iter().cloned()).collect();
                let result = append(&entries);
                for (_, ack) in batch {
                    let _ = ack.send(result.clone());
                }
            }
        });
        JournalWriter {
            sender: Some(sender),
            thread: Some(thread),
        }
    }

    /// Appends entries and waits until they are durable.
    pub async fn append(&self, entries: Vec<JournalEntry>) -> Result<(), String> {
        let (ack, done) = oneshot::channel();
        let sender = self.sender.as_ref().ok_or("the journal is closed")?;
        sender
            .send((entries, ack))
            .map_err(|_| "the journal writer stopped".to_string())?;
        done.await
            .map_err(|_| "the journal writer stopped".to_string())?
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        self.sender.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
