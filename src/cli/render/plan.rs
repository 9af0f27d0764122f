//! The human plan: drift found by refresh, the legend, one block per resource action, the
//! summary line and output changes, in the layout Terraform users know.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use plinth_sdk::{Schema, Value};

use plinth_state::{InstanceAddr, Mode};

use super::address::address_sort_key;
use super::body::{content, Options};
use super::diff::{entry, Item, Mark, NULL};
use super::reason;
use super::refactor;
use super::write::{Writer, BOLD};
use crate::plan::{Action, Drift, Imported, OutputChange, Plan, PlanMode, Reason, ResourceChange};

/// The rule between the drift report and the plan.
const RULE: &str = "─────────────────────────────────────────────────────────────────────────────";

/// Renders a plan for people. `schemas` gives the schema of a resource or data source type by
/// its type name (`aws_vpc`); without one, every attribute prints as an attribute. Sensitive
/// values (marked, or `sensitive` in the schema) print as `(sensitive value)`.
pub fn render_plan(plan: &Plan, schemas: &dyn Fn(&str) -> Option<Schema>, color: bool) -> String {
    let schemas = &Schemas::new(schemas);
    let mut w = Writer::new(color, true);
    let refresh_only = plan.mode == PlanMode::RefreshOnly;
    if !plan.drift.is_empty() {
        drift_section(&mut w, plan, schemas);
        if !refresh_only && plan.has_changes() {
            w.blank();
            w.text("Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes.");
            w.blank();
            w.text(RULE);
        }
    }
    if !plan.adopted.is_empty() {
        adopted_section(&mut w, plan);
    }
    if refresh_only {
        refresh_only_conclusion(&mut w, plan);
        return w.finish();
    }
    let mut actions: Vec<&ResourceChange> = plan.effective_changes().collect();
    actions.sort_by_cached_key(|c| address_sort_key(&c.address));
    let mut outputs: Vec<&OutputChange> = plan
        .outputs
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .collect();
    outputs.sort_by(|a, b| a.name.cmp(&b.name));
    let imports_only: Vec<&Imported> = plan
        .imported
        .iter()
        .filter(|i| !actions.iter().any(|c| c.address == i.address))
        .collect();
    if actions.is_empty() && outputs.is_empty() && imports_only.is_empty() && !refactor::any(plan) {
        no_changes(&mut w, plan);
        return w.finish();
    }
    if !actions.is_empty() || !imports_only.is_empty() || refactor::any(plan) {
        w.blank();
        if !actions.is_empty() {
            legend(&mut w, &actions);
            w.blank();
        }
        w.text("plinth will perform the following actions:");
        let mut blocks: Vec<(&str, Option<&ResourceChange>, Option<&Imported>)> = actions
            .iter()
            .map(|c| (c.address.as_str(), Some(*c), None))
            .chain(
                imports_only
                    .iter()
                    .map(|i| (i.address.as_str(), None, Some(*i))),
            )
            .collect();
        blocks.sort_by_cached_key(|(address, ..)| address_sort_key(address));
        for (_, change, import) in blocks {
            w.blank();
            match (change, import) {
                (Some(change), _) => resource_change(&mut w, change, plan, schemas),
                (None, Some(import)) => import_only(&mut w, import, schemas),
                (None, None) => {}
            }
        }
        refactor::sections(&mut w, plan, &|address| {
            actions.iter().any(|c| c.address == address)
        });
        w.blank();
        let (add, change, destroy) = plan.summary_counts();
        let label = w.paint(BOLD, "Plan:");
        let importing = match plan.imported.len() {
            0 => String::new(),
            n => format!("{n} to import, "),
        };
        w.text(&format!(
            "{label} {importing}{add} to add, {change} to change, {destroy} to destroy{}.",
            refactor::forget_count(plan)
        ));
    }
    if !outputs.is_empty() {
        w.blank();
        output_changes(&mut w, &outputs);
        if actions.is_empty() {
            w.blank();
            w.text("You can apply this plan to save these new output values to the plinth state, without changing any real infrastructure.");
        }
    }
    w.finish()
}

fn drift_section(w: &mut Writer, plan: &Plan, schemas: &Schemas) {
    w.bold("Note: Objects have changed outside of plinth");
    w.blank();
    if plan.mode == PlanMode::RefreshOnly {
        w.text(r#"plinth detected the following changes made outside of plinth since the last "plinth apply":"#);
    } else {
        w.text(r#"plinth detected the following changes made outside of plinth since the last "plinth apply" which may have affected this plan:"#);
    }
    let mut drift: Vec<&Drift> = plan.drift.iter().collect();
    drift.sort_by_cached_key(|d| address_sort_key(&d.address));
    for d in drift {
        w.blank();
        let (mark, phrase, after) = match &d.after {
            Some(after) => (Mark::Update, "has changed", after),
            None => (Mark::Delete, "has been deleted", NULL),
        };
        let data = d
            .address
            .parse::<InstanceAddr>()
            .is_ok_and(|a| a.mode == Mode::Data);
        w.bold(&format!("  # {} {phrase}", d.address));
        let schema = schemas.get(&d.type_name);
        let options = Options {
            show_unchanged: false,
            show_identifying: true,
            replace_paths: &[],
        };
        let body = content(&d.before, after, schema.as_deref(), options);
        w.block(
            0,
            mark,
            &block_head(&d.address, &d.type_name, data),
            &body,
            false,
        );
    }
}

/// Objects an interrupted create made, found again by their intent tokens.
fn adopted_section(w: &mut Writer, plan: &Plan) {
    w.bold("Note: Objects made by an interrupted apply were found");
    w.blank();
    w.text("A previous apply was stopped after asking for these objects and before recording them; plinth found them by the token it put on them and will record them in state instead of creating them again:");
    w.blank();
    for adopted in &plan.adopted {
        w.text(&format!("  {}", adopted.address));
    }
    w.blank();
}

fn refresh_only_conclusion(w: &mut Writer, plan: &Plan) {
    w.blank();
    if plan.drift.is_empty() {
        w.bold("No changes. Your infrastructure still matches the configuration.");
        w.blank();
        w.text("plinth has checked that the real remote objects still match the result of your most recent changes, and found no differences.");
    } else {
        w.text("This is a refresh-only plan, so plinth will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the plinth state without changing any remote objects.");
    }
}

fn no_changes(w: &mut Writer, plan: &Plan) {
    w.blank();
    if plan.mode == PlanMode::Destroy {
        w.bold("No changes. No objects need to be destroyed.");
        w.blank();
        w.text("Either you have not created any objects yet or the existing objects were already deleted outside of plinth.");
        return;
    }
    w.bold("No changes. Your infrastructure matches the configuration.");
    w.blank();
    if plan.drift.is_empty() {
        w.text("plinth has compared your real infrastructure against your configuration and found no differences, so no changes are needed.");
    } else {
        w.text("Your configuration already matches the changes detected above. If you'd like to update the plinth state to match, create and apply a refresh-only plan:");
        w.text("  plinth apply -refresh-only");
    }
}

/// The legend, listing only the symbols this plan uses.
fn legend(w: &mut Writer, actions: &[&ResourceChange]) {
    w.text("plinth used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:");
    let entries = [
        (Mark::Create, "create"),
        (Mark::Update, "update in-place"),
        (Mark::Delete, "destroy"),
        (Mark::Replace, "destroy and then create replacement"),
        (
            Mark::CreateThenDelete,
            "create replacement and then destroy",
        ),
        (Mark::Read, "read (data resources)"),
    ];
    for (mark, meaning) in entries {
        if actions
            .iter()
            .any(|c| Mark::of_action(c.action, c.create_before_destroy) == mark)
        {
            w.line(0, mark, meaning);
        }
    }
}

/// An object an `import` block brings under management unchanged.
fn import_only(w: &mut Writer, import: &Imported, schemas: &Schemas) {
    w.bold(&format!("  # {} will be imported", import.address));
    let options = Options {
        show_unchanged: true,
        show_identifying: true,
        replace_paths: &[],
    };
    let schema = schemas.get(&import.type_name);
    let body = content(&import.value, &import.value, schema.as_deref(), options);
    w.block(
        0,
        Mark::NoOp,
        &block_head(&import.address, &import.type_name, false),
        &body,
        false,
    );
}

fn resource_change(w: &mut Writer, change: &ResourceChange, plan: &Plan, schemas: &Schemas) {
    let phrase = match change.action {
        Action::Create => "will be created",
        Action::Update => "will be updated in-place",
        Action::Replace if change.reason == Some(Reason::ReplaceBecauseTainted) => {
            "is tainted, so must be replaced"
        }
        Action::Replace if change.reason == Some(Reason::ReplaceByRequest) => {
            "will be replaced, as requested"
        }
        Action::Replace if change.reason == Some(Reason::ReplaceByTriggers) => {
            "will be replaced due to changes in replace_triggered_by"
        }
        Action::Replace => "must be replaced",
        Action::Delete => "will be destroyed",
        Action::Read => "will be read during apply",
        Action::NoOp => "has no changes",
    };
    w.bold(&format!("  # {} {phrase}", change.object_address()));
    if let Some(from) = refactor::moved_from(plan, &change.address) {
        w.bold(&format!("  # (moved from {from})"));
    }
    if let Some(explanation) = reason::explanation(change) {
        w.bold(&format!("  # {explanation}"));
    }
    if let Some(import) = plan.imported.iter().find(|i| i.address == change.address) {
        w.bold(&format!("  # (imported from {})", quoted(&import.id)));
    }
    let schema = schemas.get(&change.type_name);
    let options = Options {
        show_unchanged: false,
        show_identifying: true,
        replace_paths: &change.replace_paths,
    };
    let before = match change.action {
        Action::Create | Action::Read => NULL,
        _ => change.before.as_ref().unwrap_or(NULL),
    };
    let after = match change.action {
        Action::Delete => NULL,
        _ => change.after.as_ref().unwrap_or(NULL),
    };
    let body = content(before, after, schema.as_deref(), options);
    let mark = Mark::of_action(change.action, change.create_before_destroy);
    w.block(
        0,
        mark,
        &block_head(&change.address, &change.type_name, change.data),
        &body,
        false,
    );
}

/// Each type's schema, looked up once per rendering (a lookup copies the schema).
struct Schemas<'a> {
    lookup: &'a dyn Fn(&str) -> Option<Schema>,
    seen: RefCell<HashMap<String, Option<Rc<Schema>>>>,
}

impl<'a> Schemas<'a> {
    fn new(lookup: &'a dyn Fn(&str) -> Option<Schema>) -> Self {
        Schemas {
            lookup,
            seen: RefCell::default(),
        }
    }

    fn get(&self, type_name: &str) -> Option<Rc<Schema>> {
        if let Some(schema) = self.seen.borrow().get(type_name) {
            return schema.clone();
        }
        let schema = (self.lookup)(type_name).map(Rc::new);
        self.seen
            .borrow_mut()
            .insert(type_name.to_string(), schema.clone());
        schema
    }
}

/// `resource "aws_vpc" "main"` or `data "aws_ami" "ubuntu"`.
pub(crate) fn block_head(address: &str, type_name: &str, data: bool) -> String {
    // Without an instance key the name is the last part (parsing took 3% of a large plan).
    let name = match address.rsplit_once('.') {
        Some((_, name)) if !address.contains('[') => name.to_string(),
        _ => address
            .parse::<InstanceAddr>()
            .map(|a| a.name)
            .ok()
            .unwrap_or_else(|| address.to_string()),
    };
    let keyword = if data { "data" } else { "resource" };
    format!("{keyword} {} {}", quoted(type_name), quoted(&name))
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn output_changes(w: &mut Writer, outputs: &[&OutputChange]) {
    w.bold("Changes to Outputs:");
    let items: Vec<Item> = outputs
        .iter()
        .map(|o| {
            let mark = match o.action {
                Action::Create | Action::Read => Mark::Create,
                Action::Delete => Mark::Delete,
                Action::Update | Action::Replace | Action::NoOp => Mark::Update,
            };
            let before: &Value = o.before.as_ref().unwrap_or(NULL);
            let after: &Value = o.after.as_ref().unwrap_or(NULL);
            Item::Entry(entry(
                Some(o.name.clone()),
                mark,
                before,
                after,
                None,
                o.sensitive,
                false,
            ))
        })
        .collect();
    w.items(0, &items);
}
