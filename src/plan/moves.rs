//! `moved` blocks at plan time: checks the statements (objects still declared, ambiguous
//! destinations, cycles) and gives the prior state's objects their new addresses before
//! anything is planned, so a rename plans no destroy. Chains (`a` → `b`, `b` → `c`) move an
//! object through every step. A move whose destination already holds an object is not made
//! (Terraform's "Unresolved resource instance address changes" warning); the object then stays
//! where it was. The plan records each move and apply records the same moves in state first.

use plinth_sdk::{Diagnostic, Diagnostics};
use plinth_state::addr::{module_path_string, without_keys, InstanceAddr};
use plinth_state::State;
use serde::{Deserialize, Serialize};

use crate::config::{Config, Endpoint, Module, Moved};

/// One object given a new address by `moved` blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedObject {
    /// Its address in the prior state.
    pub from: String,
    /// Its address from now on.
    pub to: String,
}

/// What the `moved` blocks do to a state.
#[derive(Debug, Default)]
pub struct Moves {
    /// The state with the moves made; None when nothing moved.
    pub state: Option<State>,
    /// Every object moved, by final address.
    pub moved: Vec<MovedObject>,
    /// Moves that could not be made.
    pub warnings: Diagnostics,
}

/// A statement with the configuration path (call names) of the module declaring it.
struct Statement<'c> {
    path: Vec<String>,
    moved: &'c Moved,
}

impl Statement<'_> {
    /// Whether it moves single instances (`a` → `a[0]`) rather than whole resources or calls.
    fn instance_level(&self) -> bool {
        self.moved.from.has_key() || self.moved.to.has_key()
    }
}

/// Checks the configuration's `moved` blocks and makes them on a copy of `state`.
pub fn plan_moves(config: &Config, state: &State) -> Result<Moves, Diagnostics> {
    let mut statements = Vec::new();
    collect(&config.root, Vec::new(), &mut statements);
    if statements.is_empty() {
        return Ok(Moves::default());
    }
    let mut errors = Diagnostics::new();
    for s in &statements {
        if let Some(e) = still_declared(&config.root, s) {
            errors.push(e);
        }
    }
    errors.extend(ambiguous(&statements));
    let order = chain_order(&statements)?;
    if errors.has_errors() {
        return Err(errors);
    }
    let mut moved_state = state.clone();
    let mut moved: Vec<MovedObject> = Vec::new();
    let mut blocked = Vec::new();
    for i in order {
        for (from, to) in matches(&statements[i], &moved_state) {
            if moved_state.instances.contains_key(&to) || moved_state.deposed.contains_key(&to) {
                blocked.push(format!("  - {from} could not move to {to}"));
                continue;
            }
            move_object(&mut moved_state, &from, &to);
            match moved.iter_mut().find(|m| m.to == from) {
                Some(chained) => chained.to = to,
                None => moved.push(MovedObject { from, to }),
            }
        }
    }
    moved.retain(|m| m.from != m.to);
    let mut warnings = Diagnostics::new();
    if !blocked.is_empty() {
        warnings.push(
            Diagnostic::warning("Unresolved resource instance address changes").with_detail(format!(
                "plinth tried to adjust resource instance addresses in the prior state based on change information recorded in the configuration, but some adjustments did not succeed due to existing objects already at the intended addresses:\n{}\n\nplinth has planned to destroy these objects. If plinth's proposed changes aren't appropriate, you must first resolve the conflicts using the \"plinth state\" subcommands and then create a new plan.",
                blocked.join("\n")
            )),
        );
    }
    moved.sort_by(|a, b| a.to.cmp(&b.to));
    Ok(Moves {
        state: (!moved.is_empty()).then_some(moved_state),
        moved,
        warnings,
    })
}

/// Gives the objects of `moved` their new addresses in `state` (apply records the plan's moves
/// with it). An object no longer at its old address is left alone.
pub fn apply_moves(state: &mut State, moved: &[MovedObject]) {
    for m in moved {
        if state.instances.contains_key(&m.from) || state.deposed.contains_key(&m.from) {
            move_object(state, &m.from, &m.to);
        }
    }
}

fn move_object(state: &mut State, from: &str, to: &str) {
    if let Some(instance) = state.instances.remove(from) {
        state.instances.insert(to.to_string(), instance);
    }
    if let Some(deposed) = state.deposed.remove(from) {
        state.deposed.insert(to.to_string(), deposed);
    }
    let (old, new) = (without_keys(from), without_keys(to));
    if old != new && !state.instances.keys().any(|a| without_keys(a) == old) {
        for instance in state.instances.values_mut() {
            for dependency in instance.dependencies.iter_mut().filter(|d| **d == old) {
                *dependency = new.clone();
            }
        }
    }
}

fn collect<'c>(module: &'c Module, path: Vec<String>, out: &mut Vec<Statement<'c>>) {
    for moved in &module.moved {
        out.push(Statement {
            path: path.clone(),
            moved,
        });
    }
    for call in &module.module_calls {
        let mut child = path.clone();
        child.push(call.name.clone());
        collect(&call.module, child, out);
    }
}

/// The (old, new) addresses of the objects in `state` a statement moves.
fn matches(statement: &Statement<'_>, state: &State) -> Vec<(String, String)> {
    let (from, to) = (
        statement.moved.from.to_string(),
        statement.moved.to.to_string(),
    );
    let resource = statement.moved.from.resource.is_some();
    let exact = statement.instance_level() && resource;
    let mut out = Vec::new();
    let addresses = state.instances.keys().chain(state.deposed.keys());
    for address in addresses {
        let Ok(parsed) = address.parse::<InstanceAddr>() else {
            continue;
        };
        let depth = statement.path.len();
        let inside = parsed.module.len() >= depth
            && parsed.module[..depth]
                .iter()
                .zip(&statement.path)
                .all(|(step, name)| &step.name == name);
        if !inside {
            continue;
        }
        let prefix = module_path_string(&parsed.module[..depth]);
        let relative = if prefix.is_empty() {
            address.as_str()
        } else {
            &address[prefix.len() + 1..]
        };
        let Some(rest) = relative.strip_prefix(&from) else {
            continue;
        };
        let fits = if exact {
            rest.is_empty()
        } else if statement.instance_level() {
            rest.starts_with('.')
        } else {
            rest.is_empty() || rest.starts_with('.') || rest.starts_with('[')
        };
        if !fits {
            continue;
        }
        let moved = if prefix.is_empty() {
            format!("{to}{rest}")
        } else {
            format!("{prefix}.{to}{rest}")
        };
        if !out.iter().any(|(a, _)| a == address) {
            out.push((address.clone(), moved));
        }
    }
    out
}

/// "Moved object still exists" when the configuration still declares what `from` names.
fn still_declared(root: &Module, statement: &Statement<'_>) -> Option<Diagnostic> {
    let from = &statement.moved.from;
    let mut path = statement.path.clone();
    path.extend(from.modules.iter().map(|(name, _)| name.clone()));
    let (kind, span, keyed) = match &from.resource {
        Some((type_name, name, key)) => {
            let module = root.module_at(&path)?;
            let r = module.resources.iter().find(|r| {
                r.mode == crate::config::Mode::Managed
                    && &r.type_name == type_name
                    && &r.name == name
            })?;
            let keyed = r.count.is_some() || r.for_each.is_some();
            ("resource", r.span.clone(), key.is_some() || keyed)
        }
        None => {
            let (name, key) = from.modules.last()?;
            let module = root.module_at(&path[..path.len() - 1])?;
            let call = module.module_calls.iter().find(|c| &c.name == name)?;
            let keyed = call.count.is_some() || call.for_each.is_some();
            ("module call", call.span.clone(), key.is_some() || keyed)
        }
    };
    // An instance move may leave the resource declared (`a` → `a[0]` once count is added):
    // only a whole move, or one from the single instance of a block without count or
    // for_each, still declares its source.
    if statement.instance_level() && keyed {
        return None;
    }
    Some(
        Diagnostic::error("Moved object still exists")
            .with_detail(format!(
                "This statement declares a move from {from}, but that {kind} is still declared at {span}.\n\nChange your configuration so that this {kind} will be declared as {} instead.",
                statement.moved.to
            ))
            .with_span(statement.moved.span.clone()),
    )
}

/// Two statements of one module moving the same object to different places, or different
/// objects to the same place.
fn ambiguous(statements: &[Statement<'_>]) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (i, a) in statements.iter().enumerate() {
        for b in &statements[..i] {
            if a.path != b.path {
                continue;
            }
            let (a_from, a_to) = (a.moved.from.to_string(), a.moved.to.to_string());
            let (b_from, b_to) = (b.moved.from.to_string(), b.moved.to.to_string());
            let detail = if a_from == b_from && a_to != b_to {
                format!("A statement at {} declared that {b_from} moved to {b_to}, but this statement instead declares that it moved to {a_to}.\n\nEach item can move to only one destination address.", b.moved.span)
            } else if a_to == b_to && a_from != b_from {
                format!("A statement at {} declared that {b_from} moved to {b_to}, but this statement instead declares that {a_from} moved there.\n\nEach item can have moved from only one source address.", b.moved.span)
            } else {
                continue;
            };
            diags.push(
                Diagnostic::error("Ambiguous move statements")
                    .with_detail(detail)
                    .with_span(a.moved.span.clone()),
            );
        }
    }
    diags
}

/// The statements in the order chains need (`a` → `b` before `b` → `c`), or the error
/// naming a cycle.
fn chain_order(statements: &[Statement<'_>]) -> Result<Vec<usize>, Diagnostics> {
    let text = |e: &Endpoint| e.to_string();
    let next = |i: usize| {
        statements.iter().position(|s| {
            s.path == statements[i].path && text(&s.moved.from) == text(&statements[i].moved.to)
        })
    };
    let mut depth = vec![0usize; statements.len()];
    for (i, _) in statements.iter().enumerate() {
        let mut seen = vec![i];
        let mut at = i;
        while let Some(j) = next(at) {
            if j == i {
                let lines: Vec<String> = seen
                    .iter()
                    .map(|k| {
                        let m = statements[*k].moved;
                        format!("  - {}: {} → {}", m.span, m.from, m.to)
                    })
                    .collect();
                return Err(Diagnostic::error("Cyclic dependency in move statements")
                    .with_detail(format!(
                        "The following chained move statements form a cycle, and so there is no final location to move objects to:\n{}\n\nA chain of move statements must end with an address that doesn't appear in any other statements, and which typically also refers to an object still declared in the configuration.",
                        lines.join("\n")
                    ))
                    .with_span(statements[i].moved.span.clone())
                    .into());
            }
            if seen.contains(&j) {
                break;
            }
            seen.push(j);
            depth[j] = depth[j].max(seen.len() - 1);
            at = j;
        }
    }
    let mut order: Vec<usize> = (0..statements.len()).collect();
    order.sort_by_key(|i| depth[*i]);
    Ok(order)
}
