//! The provider operations of an apply and what each leaves in state: every finished create,
//! update, read, depose and delete is journalled (and synced) before it counts as finished, so
//! nothing a provider made is ever forgotten. Operations run within the parallelism bound and
//! print Terraform's progress lines.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use plinth_sdk::{Diagnostic, Diagnostics, Origin, Provider, Value};
use plinth_state::{DeposedKey, Instance, JournalEntry, Mode as StateMode, State, Status};
use tokio::sync::Semaphore;

use crate::apply::interrupt::Interrupt;
use crate::apply::journal::JournalWriter;
use crate::apply::progress::{Printer, Verb};
use crate::config::Mode;
use crate::engine::walker::InstanceRequest;
use crate::plan::consistency::{inconsistencies, inconsistent_final_plan};
use crate::plan::planner::apply_ignore_changes;
use crate::plan::{diff, Drift, ResourceChange};

/// How many objects were added, changed and destroyed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Created (replacements count here too).
    pub added: usize,
    /// Updated in place.
    pub changed: usize,
    /// Destroyed (replacements count here too).
    pub destroyed: usize,
}

/// Runs provider operations and records their results in state and the journal.
pub struct Operations<'a> {
    interrupt: &'a Interrupt,
    not_started: AtomicUsize,
    state: Mutex<State>,
    journal: &'a JournalWriter,
    permits: Semaphore,
    printer: Printer,
    workspace: &'a str,
    counts: Mutex<Counts>,
}

fn id_of(v: &Value) -> Option<String> {
    v.get("id").and_then(Value::as_str).map(str::to_string)
}

impl<'a> Operations<'a> {
    /// Operations on `state`, journalled through `journal`, at most `parallelism` at once.
    pub fn new(
        state: State,
        journal: &'a JournalWriter,
        parallelism: usize,
        printer: Printer,
        workspace: &'a str,
        interrupt: &'a Interrupt,
    ) -> Operations<'a> {
        Operations {
            interrupt,
            not_started: AtomicUsize::new(0),
            state: Mutex::new(state),
            journal,
            permits: Semaphore::new(parallelism.max(1)),
            printer,
            workspace,
            counts: Mutex::new(Counts::default()),
        }
    }

    /// The state as it is now.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The state and counts at the end.
    pub fn finish(self) -> (State, Counts) {
        let counts = *self.counts.lock().unwrap_or_else(|p| p.into_inner());
        (
            self.state.into_inner().unwrap_or_else(|p| p.into_inner()),
            counts,
        )
    }

    /// How many operations an interrupt kept from starting.
    pub fn not_started(&self) -> usize {
        self.not_started.load(Ordering::SeqCst)
    }

    fn count(&self, f: impl FnOnce(&mut Counts)) {
        f(&mut self.counts.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// Applies `entries` to the in-memory state and appends them durably, in one batch.
    pub async fn record(
        &self,
        address: &str,
        entries: Vec<JournalEntry>,
    ) -> Result<(), Diagnostics> {
        {
            let mut state = self.state();
            for entry in &entries {
                entry.clone().apply_to(&mut state);
            }
        }
        self.journal.append(entries).await.map_err(|e| {
            Diagnostic::error("Failed to write the state journal")
                .with_detail(e)
                .with_address(address)
                .into()
        })
    }

    async fn put(&self, address: &str, instance: Instance) -> Result<(), Diagnostics> {
        let entry = JournalEntry::Put {
            address: address.to_string(),
            instance,
        };
        self.record(address, vec![entry]).await
    }

    /// Runs one provider operation within the parallelism bound, with its progress lines, unless
    /// an interrupt came first: then it does not start and fails without a message of its own
    /// (the interrupt is reported once, at the end). The permit is released before the result is
    /// journalled, so syncing never holds a slot.
    async fn operate<T, E: From<Diagnostics>>(
        &self,
        address: &str,
        verb: Verb,
        id: Option<&str>,
        id_of: impl Fn(&T) -> Option<String>,
        op: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| E::from(Diagnostic::error("apply was cancelled").into()))?;
        if self.interrupt.requested() {
            self.not_started.fetch_add(1, Ordering::SeqCst);
            return Err(E::from(Diagnostics::new()));
        }
        self.printer.track(address, verb, id, id_of, op).await
    }

    /// Deletes the current object of `change.address`, or its deposed object `deposed`.
    pub async fn delete(
        &self,
        provider: &dyn Provider,
        change: &ResourceChange,
        deposed: Option<&DeposedKey>,
    ) -> Result<(), Diagnostics> {
        let address = &change.address;
        let (shown, prior) = match deposed {
            Some(key) => {
                let object = self
                    .state()
                    .deposed
                    .get(address)
                    .and_then(|objects| objects.get(key))
                    .map(|o| Value::from_json(&o.attributes));
                // Nothing was deposed under this key (no current object to replace): done.
                let Some(object) = object else { return Ok(()) };
                (format!("{address} (deposed object {key})"), object)
            }
            None => (
                address.clone(),
                change.before.clone().unwrap_or(Value::Null).unmark_deep().0,
            ),
        };
        self.operate(
            &shown,
            Verb::Destroy,
            id_of(&prior).as_deref(),
            |_| None,
            provider.delete(&change.type_name, prior.clone()),
        )
        .await
        .map_err(|d| d.with_address(&shown))?;
        let entry = match deposed {
            Some(key) => JournalEntry::RemoveDeposed {
                address: address.clone(),
                key: key.clone(),
            },
            None => JournalEntry::Remove {
                address: address.clone(),
            },
        };
        self.record(address, vec![entry]).await?;
        self.count(|c| c.destroyed += 1);
        Ok(())
    }

    /// Moves the current object of `address` aside as deposed object `key`, before its
    /// create_before_destroy replacement is created.
    pub async fn depose(&self, address: &str, key: &DeposedKey) -> Result<(), Diagnostics> {
        let Some(current) = self.state().instances.get(address).cloned() else {
            return Ok(());
        };
        let entries = vec![
            JournalEntry::PutDeposed {
                address: address.to_string(),
                key: key.clone(),
                instance: current,
            },
            JournalEntry::Remove {
                address: address.to_string(),
            },
        ];
        self.record(address, entries).await
    }

    fn instance_record(
        &self,
        request: &InstanceRequest<'_>,
        value: &Value,
        status: Status,
    ) -> Instance {
        Instance {
            mode: if request.resource.mode == Mode::Data {
                StateMode::Data
            } else {
                StateMode::Managed
            },
            type_name: request.resource.type_name.clone(),
            provider: request.provider.to_string(),
            status,
            attributes: value.to_json(),
            sensitive_attributes: diff::sensitive_names(request.schema, value),
            dependencies: request.depends_on.to_vec(),
            create_before_destroy: request.resource.lifecycle.create_before_destroy,
        }
    }

    /// Records a value read or refreshed during planning, without a provider call: in memory
    /// only, since refreshing again gives it back (the status stays as stored).
    pub fn keep(&self, request: &InstanceRequest<'_>, value: &Value) {
        let record = self.instance_record(request, value, Status::Ready);
        let mut state = self.state();
        let status = state
            .instances
            .get(&request.address)
            .map_or(Status::Ready, |i| i.status);
        state
            .instances
            .insert(request.address.clone(), Instance { status, ..record });
    }

    /// Takes what refresh found into the state (as Terraform does on every apply): objects
    /// changed outside plinth get their current values, deleted ones leave the state (a planned
    /// create records them again). In memory: the snapshot written at the end keeps it, and a
    /// killed run refreshes again.
    pub fn absorb_drift(&self, drift: &[Drift]) {
        let mut state = self.state();
        for d in drift {
            match &d.after {
                Some(current) => {
                    if let Some(instance) = state.instances.get_mut(&d.address) {
                        instance.attributes = current.to_json();
                    }
                }
                None => {
                    state.instances.remove(&d.address);
                }
            }
        }
    }

    /// Forgets an object deleted outside plinth (a refresh-only apply), durably.
    pub async fn forget(&self, address: &str) -> Result<(), Diagnostics> {
        let entry = JournalEntry::Remove {
            address: address.to_string(),
        };
        self.record(address, vec![entry]).await
    }

    /// The final value to send: the configuration, now fully known, planned by the provider
    /// again; it must agree with every value the saved plan knew.
    async fn final_value(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
        change: &ResourceChange,
        prior: Option<&Value>,
    ) -> Result<(Value, Vec<String>), Diagnostics> {
        if request.config.contains_unknown() {
            return Err(Diagnostic::error(
                "Configuration contains values that are still unknown during apply",
            )
            .with_detail("A value this resource depends on was not produced by its provider.")
            .with_address(&request.address)
            .into());
        }
        let mut proposed = diff::proposed(request.schema, &request.config, prior);
        if let Some(p) = prior {
            apply_ignore_changes(&request.resource.lifecycle.ignore_changes, p, &mut proposed);
        }
        let planned = provider
            .plan(&request.resource.type_name, prior, proposed)
            .await?
            .planned;
        let planned = diff::mark_sensitive(request.schema, planned);
        if let Some(saved) = &change.after {
            let problems = inconsistencies(saved, &planned);
            if !problems.is_empty() {
                return Err(
                    inconsistent_final_plan(&request.address, request.provider, &problems).into(),
                );
            }
        }
        let sensitive = diff::sensitive_names(request.schema, &planned);
        Ok((diff::unknown_to_null(planned.unmark_deep().0), sensitive))
    }

    /// A provider's result normalised to the schema, with the sensitive marks of the schema and
    /// of the attributes named put back.
    fn remark(request: &InstanceRequest<'_>, value: Value, sensitive: &[String]) -> Value {
        diff::mark_sensitive_opt(
            Some(request.schema),
            diff::normalise(request.schema, value),
            sensitive,
        )
    }

    /// Creates the object of `request` (first deposing the current one under `depose`).
    pub async fn create(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
        change: &ResourceChange,
        depose: Option<&DeposedKey>,
    ) -> Result<Value, Diagnostics> {
        let (planned, sensitive) = self.final_value(provider, request, change, None).await?;
        if let Some(key) = depose {
            self.depose(&request.address, key).await?;
        }
        let origin = Origin {
            address: request.address.clone(),
            workspace: self.workspace.to_string(),
        };
        let result = self
            .operate(
                &request.address,
                Verb::Create,
                None,
                |v: &Value| id_of(v),
                provider.create(&request.resource.type_name, planned, &origin),
            )
            .await;
        match result {
            Ok(value) => {
                let value = Self::remark(request, value, &sensitive);
                let record = self.instance_record(request, &value, Status::Ready);
                self.put(&request.address, record).await?;
                self.count(|c| c.added += 1);
                Ok(value)
            }
            Err(failure) => {
                if let Some(partial) = failure.partial {
                    let partial = diff::normalise(request.schema, partial);
                    let record = self.instance_record(request, &partial, Status::Tainted);
                    self.put(&request.address, record).await?;
                }
                Err(failure.diagnostics)
            }
        }
    }

    /// Updates the object of `request` in place.
    pub async fn update(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
        change: &ResourceChange,
    ) -> Result<Value, Diagnostics> {
        let prior = change.before.clone().unwrap_or(Value::Null).unmark_deep().0;
        let (planned, sensitive) = self
            .final_value(provider, request, change, Some(&prior))
            .await?;
        let value = self
            .operate(
                &request.address,
                Verb::Update,
                id_of(&prior).as_deref(),
                |v: &Value| id_of(v),
                provider.update(&request.resource.type_name, prior.clone(), planned),
            )
            .await?;
        let value = Self::remark(request, value, &sensitive);
        let record = self.instance_record(request, &value, Status::Ready);
        self.put(&request.address, record).await?;
        self.count(|c| c.changed += 1);
        Ok(value)
    }

    /// Reads the data source of `request`.
    pub async fn read(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
    ) -> Result<Value, Diagnostics> {
        let config = request.config.clone().unmark_deep().0;
        let value = self
            .operate(
                &request.address,
                Verb::Read,
                None,
                |v: &Value| id_of(v),
                provider.read_data(&request.resource.type_name, config),
            )
            .await?;
        let value = diff::mark_sensitive(request.schema, diff::normalise(request.schema, value));
        let record = self.instance_record(request, &value, Status::Ready);
        self.put(&request.address, record).await?;
        Ok(value)
    }
}
