//! The provider operations of an apply and what each leaves in state: every finished create,
//! update, read, depose and delete is journalled (and synced) before it counts as finished, so
//! nothing a provider made is ever forgotten. Operations run within the parallelism bound and
//! print Terraform's progress lines.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use std::sync::Arc;
use std::time::Duration;

use plinth_sdk::{
    Context, CrashSafety, CreateRequest, DeleteRequest, DeleteResponse, Diagnostic, Diagnostics,
    Intent, ObjectResponse, PlanRequest, Progress, Provider, ReadDataRequest, ReadDataResponse,
    UpdateRequest, Value,
};
use plinth_state::{
    DeposedKey, Instance, JournalEntry, Mode as StateMode, PendingCreate, State, Status,
};
use tokio::sync::Semaphore;

use crate::apply::interrupt::Interrupt;
use crate::apply::journal::JournalWriter;
use crate::apply::progress::{Printer, Verb};
use crate::config::Mode;
use crate::engine::walker::InstanceRequest;
use crate::plan::consistency::{inconsistencies, inconsistent_final_plan};
use crate::plan::planner::apply_ignore_changes;
use crate::plan::{diff, write_only, Adopted, Drift, Imported, ResourceChange};

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
    warnings: Mutex<Diagnostics>,
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
            warnings: Mutex::new(Diagnostics::new()),
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

    /// The state, counts and providers' warnings at the end.
    pub fn finish(self) -> (State, Counts, Diagnostics) {
        let counts = *self.counts.lock().unwrap_or_else(|p| p.into_inner());
        (
            self.state.into_inner().unwrap_or_else(|p| p.into_inner()),
            counts,
            self.warnings
                .into_inner()
                .unwrap_or_else(|p| p.into_inner()),
        )
    }

    /// Keeps an operation's warnings (with its address) and returns its errors, if any.
    fn split(&self, diagnostics: Diagnostics, address: &str) -> Option<Diagnostics> {
        let diagnostics = diagnostics.with_address(address);
        let warnings: Vec<_> = diagnostics.warnings().cloned().collect();
        self.warnings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(Diagnostics(warnings));
        diagnostics.has_errors().then(|| {
            Diagnostics(
                diagnostics
                    .0
                    .into_iter()
                    .filter(|d| d.severity == plinth_sdk::Severity::Error)
                    .collect(),
            )
        })
    }

    /// Where progress lines go.
    pub fn printer(&self) -> Printer {
        self.printer
    }

    /// Marks the object just created at `request.address` tainted (a creation-time provisioner
    /// failed), durably: the next plan replaces it.
    pub async fn taint(
        &self,
        request: &InstanceRequest<'_>,
        value: &Value,
    ) -> Result<(), Diagnostics> {
        let private = self.stored_private(&request.address);
        let record = self.instance_record(request, value, Status::Tainted, &private);
        self.put(&request.address, record).await
    }

    /// The context of one operation: cancelled by a second interrupt, with the deadline of
    /// `timeout`, reporting progress as lines under `address`.
    pub fn context(&self, address: &str, timeout: Option<Duration>) -> Context {
        Context::new(self.interrupt.token().clone())
            .with_timeout(timeout)
            .with_progress(Arc::new(Lines {
                printer: self.printer,
                address: address.to_string(),
            }))
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
    async fn operate<R: Answer>(
        &self,
        address: &str,
        verb: Verb,
        id: Option<&str>,
        op: impl std::future::Future<Output = R>,
    ) -> Result<R, Diagnostics> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Diagnostics::from(Diagnostic::error("apply was cancelled")))?;
        if self.interrupt.requested() {
            self.not_started.fetch_add(1, Ordering::SeqCst);
            return Err(Diagnostics::new());
        }
        let tracked = self
            .printer
            .track(address, verb, id, R::id, async {
                let answer = op.await;
                if answer.failed() {
                    Err(answer)
                } else {
                    Ok(answer)
                }
            })
            .await;
        Ok(match tracked {
            Ok(answer) | Err(answer) => answer,
        })
    }

    /// Keeps warnings to show at the end.
    pub fn warn(&self, diagnostics: Diagnostics) {
        self.warnings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(diagnostics);
    }

    /// The object a delete of `change` (or of its deposed object `deposed`) would destroy, as
    /// destroy-time provisioners see it; None when there is none or it is tainted (Terraform
    /// runs no destroy-time provisioner for a tainted object).
    pub fn doomed(&self, change: &ResourceChange, deposed: Option<&DeposedKey>) -> Option<Value> {
        let state = self.state();
        match deposed {
            Some(key) => state
                .deposed
                .get(&change.address)
                .and_then(|objects| objects.get(key))
                .filter(|o| o.status != Status::Tainted)
                .map(|o| Value::from_json(&o.attributes)),
            None => {
                let tainted = state
                    .instances
                    .get(&change.address)
                    .is_some_and(|i| i.status == Status::Tainted);
                change.before.clone().filter(|_| !tainted)
            }
        }
    }

    /// Deletes the current object of `change.address`, or its deposed object `deposed`.
    pub async fn delete(
        &self,
        provider: &dyn Provider,
        change: &ResourceChange,
        deposed: Option<&DeposedKey>,
    ) -> Result<(), Diagnostics> {
        let address = &change.address;
        let (shown, prior, private) = match deposed {
            Some(key) => {
                let object = self
                    .state()
                    .deposed
                    .get(address)
                    .and_then(|objects| objects.get(key))
                    .map(|o| (Value::from_json(&o.attributes), o.private_bytes()));
                // Nothing was deposed under this key (no current object to replace): done.
                let Some((object, private)) = object else {
                    return Ok(());
                };
                (format!("{address} (deposed object {key})"), object, private)
            }
            None => (
                address.clone(),
                change.before.clone().unwrap_or(Value::Null).unmark_deep().0,
                self.stored_private(address),
            ),
        };
        let ctx = self.context(&shown, change.timeouts.delete);
        let request = DeleteRequest {
            type_name: change.type_name.clone(),
            prior: prior.clone(),
            private,
        };
        let answer = self
            .operate(
                &shown,
                Verb::Destroy,
                id_of(&prior).as_deref(),
                provider.delete(&ctx, request),
            )
            .await?;
        if let Some(errors) = self.split(answer.diagnostics, &shown) {
            if let Some(remaining) = answer.remaining {
                self.keep_remaining(address, deposed, remaining).await?;
            }
            return Err(errors);
        }
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

    /// Records what a delete that failed half way left of an object.
    async fn keep_remaining(
        &self,
        address: &str,
        deposed: Option<&DeposedKey>,
        remaining: Value,
    ) -> Result<(), Diagnostics> {
        let stored = {
            let state = self.state();
            match deposed {
                Some(key) => state.deposed.get(address).and_then(|o| o.get(key)).cloned(),
                None => state.instances.get(address).cloned(),
            }
        };
        let Some(stored) = stored else {
            return Ok(());
        };
        let instance = Instance {
            attributes: remaining.to_json(),
            ..stored
        };
        let entry = match deposed {
            Some(key) => JournalEntry::PutDeposed {
                address: address.to_string(),
                key: key.clone(),
                instance,
            },
            None => JournalEntry::Put {
                address: address.to_string(),
                instance,
            },
        };
        self.record(address, vec![entry]).await
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

    /// The provider's private bytes state keeps with the current object of `address`.
    fn stored_private(&self, address: &str) -> Vec<u8> {
        self.state()
            .instances
            .get(address)
            .map(Instance::private_bytes)
            .unwrap_or_default()
    }

    fn instance_record(
        &self,
        request: &InstanceRequest<'_>,
        value: &Value,
        status: Status,
        private: &[u8],
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
            attributes: write_only::stored_json(request.schema, value),
            sensitive_attributes: diff::sensitive_names(request.schema, value),
            dependencies: request.depends_on.to_vec(),
            create_before_destroy: request.resource.lifecycle.create_before_destroy,
            schema_version: request.schema.version,
            private: Instance::encode_private(private),
        }
    }

    /// Records a value read or refreshed during planning, without a provider call: in memory
    /// only, since refreshing again gives it back (the status stays as stored).
    pub fn keep(&self, request: &InstanceRequest<'_>, value: &Value) {
        let record = self.instance_record(request, value, Status::Ready, &[]);
        let mut state = self.state();
        let (status, private) = state
            .instances
            .get(&request.address)
            .map_or((Status::Ready, None), |i| (i.status, i.private.clone()));
        state.instances.insert(
            request.address.clone(),
            Instance {
                status,
                private,
                ..record
            },
        );
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
    /// again; it must agree with every value the saved plan knew. With the provider's private
    /// bytes and the names of sensitive attributes.
    async fn final_value(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
        change: &ResourceChange,
        prior: Option<&Value>,
    ) -> Result<FinalPlan, Diagnostics> {
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
        let prior_private = match prior {
            Some(_) => self.stored_private(&request.address),
            None => Vec::new(),
        };
        let response = provider
            .plan(
                &self.context(&request.address, None),
                PlanRequest {
                    type_name: request.resource.type_name.clone(),
                    prior: prior.cloned(),
                    proposed,
                    prior_private,
                },
            )
            .await;
        if let Some(errors) = self.split(response.diagnostics, &request.address) {
            return Err(errors);
        }
        let planned = diff::mark_sensitive(request.schema, response.planned);
        if let Some(saved) = &change.after {
            let kept = write_only::forget(request.schema, planned.clone());
            let problems = inconsistencies(saved, &kept);
            if !problems.is_empty() {
                return Err(
                    inconsistent_final_plan(&request.address, request.provider, &problems).into(),
                );
            }
        }
        let sensitive = diff::sensitive_names(request.schema, &planned);
        let private = if response.private.is_empty() {
            change.private.clone()
        } else {
            response.private
        };
        let planned = write_only::restore(request.schema, planned, &request.config);
        Ok(FinalPlan {
            value: diff::unknown_to_null(planned.unmark_deep().0),
            sensitive,
            private,
        })
    }

    /// A provider's result normalised to the schema, with the sensitive marks of the schema and
    /// of the attributes named put back.
    fn remark(request: &InstanceRequest<'_>, value: Value, sensitive: &[String]) -> Value {
        let value = write_only::forget(request.schema, diff::normalise(request.schema, value));
        diff::mark_sensitive_opt(Some(request.schema), value, sensitive)
    }

    /// Creates the object of `request` (first deposing the current one under `depose`). The
    /// create's intent is journalled before the provider is asked, so a kill leaves enough for
    /// the next run to find what it made.
    pub async fn create(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
        change: &ResourceChange,
        depose: Option<&DeposedKey>,
    ) -> Result<Value, Diagnostics> {
        let planned = self.final_value(provider, request, change, None).await?;
        if let Some(key) = depose {
            self.depose(&request.address, key).await?;
        }
        let intent = Intent::new(request.address.clone(), self.workspace);
        let journalled = request.schema.crash_safety != CrashSafety::NoRemoteObject;
        if journalled {
            let pending = PendingCreate {
                token: intent.token.clone(),
                workspace: intent.workspace.clone(),
                type_name: request.resource.type_name.clone(),
                provider: request.provider.to_string(),
                planned: write_only::forget(request.schema, planned.value.clone()).to_json(),
            };
            let entry = JournalEntry::Intent {
                address: request.address.clone(),
                create: pending,
            };
            self.record(&request.address, vec![entry]).await?;
        }
        let ctx = self.context(&request.address, request.timeouts.create);
        let create = CreateRequest {
            type_name: request.resource.type_name.clone(),
            planned: planned.value,
            intent,
            private: planned.private,
        };
        let answer = self
            .operate(
                &request.address,
                Verb::Create,
                None,
                provider.create(&ctx, create),
            )
            .await?;
        let errors = self.split(answer.diagnostics, &request.address);
        match (answer.new_state, errors) {
            (Some(value), None) => {
                let value = Self::remark(request, value, &planned.sensitive);
                let record = self.instance_record(request, &value, Status::Ready, &answer.private);
                self.put(&request.address, record).await?;
                self.count(|c| c.added += 1);
                Ok(value)
            }
            (Some(partial), Some(errors)) => {
                let partial = diff::normalise(request.schema, partial);
                let record =
                    self.instance_record(request, &partial, Status::Tainted, &answer.private);
                self.put(&request.address, record).await?;
                Err(errors)
            }
            (None, errors) => {
                if journalled {
                    let entry = JournalEntry::CreateFailed {
                        address: request.address.clone(),
                    };
                    self.record(&request.address, vec![entry]).await?;
                }
                Err(errors.unwrap_or_else(|| {
                    Diagnostic::error("The provider's create returned no object")
                        .with_detail("This is a bug in the provider.")
                        .with_address(&request.address)
                        .into()
                }))
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
        let planned = self
            .final_value(provider, request, change, Some(&prior))
            .await?;
        let ctx = self.context(&request.address, request.timeouts.update);
        let update = UpdateRequest {
            type_name: request.resource.type_name.clone(),
            prior: prior.clone(),
            planned: planned.value,
            private: planned.private,
        };
        let answer = self
            .operate(
                &request.address,
                Verb::Update,
                id_of(&prior).as_deref(),
                provider.update(&ctx, update),
            )
            .await?;
        let errors = self.split(answer.diagnostics, &request.address);
        if let Some(value) = answer.new_state {
            let value = Self::remark(request, value, &planned.sensitive);
            let record = self.instance_record(request, &value, Status::Ready, &answer.private);
            self.put(&request.address, record).await?;
            if errors.is_none() {
                self.count(|c| c.changed += 1);
                return Ok(value);
            }
        }
        Err(errors.unwrap_or_else(|| {
            Diagnostic::error("The provider's update returned no object")
                .with_detail("This is a bug in the provider.")
                .with_address(&request.address)
                .into()
        }))
    }

    /// Reads the data source of `request`.
    pub async fn read(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
    ) -> Result<Value, Diagnostics> {
        let ctx = self.context(&request.address, request.timeouts.read);
        let read = ReadDataRequest {
            type_name: request.resource.type_name.clone(),
            config: request.config.clone().unmark_deep().0,
        };
        let answer = self
            .operate(
                &request.address,
                Verb::Read,
                None,
                provider.read_data(&ctx, read),
            )
            .await?;
        if let Some(errors) = self.split(answer.diagnostics, &request.address) {
            return Err(errors);
        }
        let value = answer.state.unwrap_or(Value::Null);
        let value = diff::mark_sensitive(request.schema, diff::normalise(request.schema, value));
        let record = self.instance_record(request, &value, Status::Ready, &[]);
        self.put(&request.address, record).await?;
        Ok(value)
    }

    /// Records the objects of interrupted creates the plan found again.
    pub async fn adopt(&self, adopted: &[Adopted], plan: &[ResourceChange]) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for a in adopted {
            let Some(pending) = self.state().pending.get(&a.address).cloned() else {
                continue;
            };
            let dependencies = plan
                .iter()
                .find(|c| c.address == a.address && c.deposed.is_none())
                .map(|c| c.dependencies.clone())
                .unwrap_or_else(|| a.dependencies.clone());
            let instance = Instance {
                mode: StateMode::Managed,
                type_name: pending.type_name,
                provider: pending.provider,
                status: Status::Ready,
                attributes: a.value.to_json(),
                sensitive_attributes: Vec::new(),
                dependencies,
                create_before_destroy: false,
                schema_version: 0,
                private: None,
            };
            self.printer.line(&format!(
                "{}: Found the object an interrupted create made; recording it",
                a.address
            ));
            if let Err(d) = self.put(&a.address, instance).await {
                diagnostics.extend(d);
            }
        }
        diagnostics
    }
}

impl Operations<'_> {
    /// Records the objects `import` blocks brought under management, in one journal append.
    pub async fn record_imported(
        &self,
        imported: &[Imported],
        plan: &[ResourceChange],
    ) -> Diagnostics {
        let mut entries = Vec::new();
        for i in imported {
            if self.state().instances.contains_key(&i.address) {
                continue;
            }
            let dependencies = plan
                .iter()
                .find(|c| c.address == i.address && c.deposed.is_none())
                .map(|c| c.dependencies.clone())
                .unwrap_or_else(|| i.dependencies.clone());
            self.printer
                .line(&format!("{}: Importing from ID \"{}\"...", i.address, i.id));
            entries.push(JournalEntry::Put {
                address: i.address.clone(),
                instance: Instance {
                    mode: StateMode::Managed,
                    type_name: i.type_name.clone(),
                    provider: i.provider.clone(),
                    status: Status::Ready,
                    attributes: i.value.to_json(),
                    sensitive_attributes: i.sensitive_attributes.clone(),
                    dependencies,
                    create_before_destroy: false,
                    schema_version: i.schema_version,
                    private: Instance::encode_private(&i.private),
                },
            });
            self.printer
                .line(&format!("{}: Import complete", i.address));
        }
        if entries.is_empty() {
            return Diagnostics::new();
        }
        match self.record("import", entries).await {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }
}

/// The provider's final plan of a create or update, ready to send.
struct FinalPlan {
    value: Value,
    sensitive: Vec<String>,
    private: Vec<u8>,
}

/// What the progress printer needs of a provider's answer.
trait Answer {
    /// Whether the operation failed.
    fn failed(&self) -> bool;
    /// The id of the object it returned, for the completion line.
    fn id(&self) -> Option<String>;
}

impl Answer for ObjectResponse {
    fn failed(&self) -> bool {
        self.diagnostics.has_errors()
    }

    fn id(&self) -> Option<String> {
        self.new_state.as_ref().and_then(id_of)
    }
}

impl Answer for DeleteResponse {
    fn failed(&self) -> bool {
        self.diagnostics.has_errors()
    }

    fn id(&self) -> Option<String> {
        None
    }
}

impl Answer for ReadDataResponse {
    fn failed(&self) -> bool {
        self.diagnostics.has_errors()
    }

    fn id(&self) -> Option<String> {
        self.state.as_ref().and_then(id_of)
    }
}

/// Progress reports printed as lines under an address.
struct Lines {
    printer: Printer,
    address: String,
}

impl Progress for Lines {
    fn report(&self, message: &str) {
        self.printer.line(&format!("{}: {message}", self.address));
    }
}
