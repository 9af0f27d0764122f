//! `plinth state show` and `plinth output`: one stored object or the root outputs, printed as
//! HCL-like text with sensitive values redacted.

use std::collections::BTreeMap;

use plinth_sdk::{Schema, Value};

use super::body::{content, Options};
use super::diff::{entry, Mark};
use super::plan::block_head;
use super::write::Writer;

/// Renders one instance for `plinth state show`: `# address:` then its `resource "type" "name"`
/// (or `data`) block with every non-null attribute, nested blocks as blocks, and sensitive
/// attributes (marked, or `sensitive` in the schema) as `(sensitive value)`.
pub fn render_instance(
    address: &str,
    type_name: &str,
    data: bool,
    value: &Value,
    schema: Option<&Schema>,
) -> String {
    let mut w = Writer::new(false, false);
    w.text(&format!("# {address}:"));
    let options = Options {
        show_unchanged: true,
        show_identifying: false,
        replace_paths: &[],
    };
    let body = content(value, value, schema, options);
    w.block(
        0,
        Mark::NoOp,
        &block_head(address, type_name, data),
        &body,
        false,
    );
    w.finish()
}

/// Renders root outputs for `plinth output`: `name = value` lines in name order, `<sensitive>`
/// for outputs declared sensitive, `(sensitive value)` for sensitive parts of other values.
pub fn render_outputs(outputs: &BTreeMap<String, (Value, bool)>) -> String {
    let mut w = Writer::new(false, false);
    for (name, (value, sensitive)) in outputs {
        if *sensitive {
            w.text(&format!("{name} = <sensitive>"));
        } else {
            w.entry(
                0,
                &entry(
                    Some(name.clone()),
                    Mark::NoOp,
                    value,
                    value,
                    None,
                    false,
                    true,
                ),
                0,
            );
        }
    }
    w.finish()
}
