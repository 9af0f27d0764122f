//! The loader: reads every `.tf` and `.tf.json` file of a directory (sorted by name), decodes
//! the top-level blocks into a [`Module`], checks names for duplicates, and loads child modules
//! from their local `source` paths, checking the inputs each call passes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plinth_sdk::{Diagnostic, Diagnostics, Span};

use super::blocks::{
    decode_locals, decode_module_call, decode_output, decode_provider, decode_terraform,
    decode_variable,
};
use super::check_block::decode_check;
use super::checks::{suggestion, unsupported_block};
use super::imports::{decode_import, imports_only_in_root};
use super::json::parse_json;
use super::model::{Block, Body, Config, Mode, Module, ModuleCall};
use super::moved::decode_moved;
use super::parse::parse_native;
use super::removed::decode_removed;
use super::resource::decode_resource;
use super::spans::{display_name, normalize, SourceFile};

const TOP_LEVEL_BLOCKS: &[&str] = &[
    "resource",
    "data",
    "variable",
    "output",
    "locals",
    "provider",
    "terraform",
    "module",
    "import",
    "moved",
    "removed",
    "check",
];

/// Loads the configuration in `dir` and every module it calls. All problems are collected; on
/// success the warnings (if any) are in [`Config::warnings`].
pub fn load(dir: &Path) -> Result<Config, Diagnostics> {
    load_with_sources(dir).0
}

/// Like [`load`], also returning the text of every file read even when loading failed, so the
/// errors can be rendered with their source lines.
pub fn load_with_sources(dir: &Path) -> (Result<Config, Diagnostics>, BTreeMap<String, String>) {
    let mut loader = Loader::default();
    let root = loader.module(dir);
    super::ephemeral::check(&root, &mut loader.diags);
    if loader.diags.has_errors() {
        return (Err(loader.diags), loader.sources);
    }
    let sources = loader.sources.clone();
    (
        Ok(Config {
            root,
            sources: loader.sources,
            warnings: loader.diags,
        }),
        sources,
    )
}

#[derive(Default)]
struct Loader {
    sources: BTreeMap<String, String>,
    diags: Diagnostics,
    /// The directories of the modules being loaded, outermost first (to detect cycles).
    stack: Vec<PathBuf>,
}

impl Loader {
    fn module(&mut self, dir: &Path) -> Module {
        let mut module = Module {
            dir: dir.to_path_buf(),
            ..Module::default()
        };
        let files = match config_files(dir, &mut self.diags) {
            Ok(files) => files,
            Err(e) => {
                self.diags.push(
                    Diagnostic::error("Failed to read module directory")
                        .with_detail(format!("{}: {e}", display_name(dir))),
                );
                return module;
            }
        };
        self.stack.push(normalize(
            &std::env::current_dir().unwrap_or_default().join(dir),
        ));
        for path in files {
            if let Some(body) = self.parse_file(&path) {
                self.decode_file(body, &mut module);
            }
        }
        self.check_duplicates(&module);
        module.index_locals();
        let calls = std::mem::take(&mut module.module_calls);
        module.module_calls = calls
            .into_iter()
            .map(|call| self.child(dir, call))
            .collect();
        self.stack.pop();
        module
    }

    fn parse_file(&mut self, path: &Path) -> Option<Body> {
        let name = display_name(path);
        let text = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    self.diags
                        .push(invalid_utf8(&name, e.as_bytes(), e.utf8_error()));
                    return None;
                }
            },
            Err(e) => {
                self.diags.push(
                    Diagnostic::error("Failed to read configuration file")
                        .with_detail(format!("{name}: {e}")),
                );
                return None;
            }
        };
        let file = SourceFile::new(name.clone(), text);
        let parsed = if name.ends_with(".json") {
            parse_json(&file)
        } else {
            parse_native(&file)
        };
        self.sources.insert(name, file.text);
        parsed.map_err(|diags| self.diags.extend(diags)).ok()
    }

    fn decode_file(&mut self, body: Body, module: &mut Module) {
        let diags = &mut self.diags;
        for attr in &body.attributes {
            diags.push(
                Diagnostic::error("Unsupported argument")
                    .with_detail(format!(
                        "An argument named \"{}\" is not expected here: only blocks such as resource, \
                         variable or output may appear at the top level.",
                        attr.name
                    ))
                    .with_span(attr.name_span.clone()),
            );
        }
        for block in body.blocks {
            match block.kind.as_str() {
                "resource" => module
                    .resources
                    .extend(decode_resource(block, Mode::Managed, diags)),
                "data" => module
                    .resources
                    .extend(decode_resource(block, Mode::Data, diags)),
                "variable" => module.variables.extend(decode_variable(block, diags)),
                "output" => module.outputs.extend(decode_output(block, diags)),
                "locals" => module.locals.extend(decode_locals(block, diags)),
                "provider" => module.providers.extend(decode_provider(block, diags)),
                "terraform" => decode_terraform(block, &mut module.terraform, diags),
                "module" => module.module_calls.extend(decode_module_call(block, diags)),
                "import" => module.imports.extend(decode_import(block, diags)),
                "moved" => module.moved.extend(decode_moved(block, diags)),
                "removed" => module.removed.extend(decode_removed(block, diags)),
                "check" => module.checks.extend(decode_check(block, diags)),
                _ => diags.push(unknown_top_level(&block)),
            }
        }
    }

    fn check_duplicates(&mut self, module: &Module) {
        let mut seen = Seen::default();
        for r in &module.resources {
            let (kind, what) = match r.mode {
                Mode::Managed => (
                    "resource",
                    format!("resource \"{}\" \"{}\"", r.type_name, r.name),
                ),
                Mode::Data => ("data", format!("data \"{}\" \"{}\"", r.type_name, r.name)),
            };
            let key = format!("{kind}.{}.{}", r.type_name, r.name);
            seen.check(key, &what, &r.span, &mut self.diags);
        }
        for v in &module.variables {
            seen.check(
                format!("var.{}", v.name),
                &format!("variable \"{}\"", v.name),
                &v.span,
                &mut self.diags,
            );
        }
        for o in &module.outputs {
            seen.check(
                format!("output.{}", o.name),
                &format!("output \"{}\"", o.name),
                &o.span,
                &mut self.diags,
            );
        }
        for l in &module.locals {
            seen.check(
                format!("local.{}", l.name),
                &format!("local value \"{}\"", l.name),
                &l.expr.span,
                &mut self.diags,
            );
        }
        for m in &module.module_calls {
            seen.check(
                format!("module.{}", m.name),
                &format!("module \"{}\"", m.name),
                &m.span,
                &mut self.diags,
            );
        }
        for p in &module.providers {
            let what = match &p.alias {
                Some(alias) => format!("provider \"{}\" with alias \"{alias}\"", p.name),
                None => format!("default provider \"{}\"", p.name),
            };
            seen.check(
                format!("provider.{}.{:?}", p.name, p.alias),
                &what,
                &p.span,
                &mut self.diags,
            );
        }
    }

    fn child(&mut self, parent_dir: &Path, mut call: ModuleCall) -> ModuleCall {
        let dir = normalize(&parent_dir.join(&call.source));
        let absolute = normalize(&std::env::current_dir().unwrap_or_default().join(&dir));
        if self.stack.contains(&absolute) {
            self.diags.push(
                Diagnostic::error("Module cycle")
                    .with_detail(format!(
                        "Module \"{}\" loads {}, which is already being loaded by one of its callers.",
                        call.name, call.source
                    ))
                    .with_span(call.span.clone()),
            );
            return call;
        }
        if !dir.is_dir() {
            self.diags.push(
                Diagnostic::error("Module not found")
                    .with_detail(format!(
                        "The module directory {} of module \"{}\" does not exist.",
                        display_name(&dir),
                        call.name
                    ))
                    .with_span(call.span.clone()),
            );
            return call;
        }
        let child = self.module(&dir);
        for import in &child.imports {
            self.diags.push(imports_only_in_root(import, &call.name));
        }
        check_inputs(&call, &child, &mut self.diags);
        call.module = Box::new(child);
        call
    }
}

/// Checks a call's inputs against the child's variables.
fn check_inputs(call: &ModuleCall, child: &Module, diags: &mut Diagnostics) {
    let declared: Vec<&str> = child.variables.iter().map(|v| v.name.as_str()).collect();
    for (name, expr) in &call.inputs {
        if !declared.contains(&name.as_str()) {
            diags.push(
                Diagnostic::error("Unsupported argument")
                    .with_detail(format!(
                        "An argument named \"{name}\" is not expected here: module \"{}\" ({}) declares \
                         no variable \"{name}\".{}",
                        call.name,
                        call.source,
                        suggestion(name, &declared)
                    ))
                    .with_span(expr.span.clone()),
            );
        }
    }
    for variable in &child.variables {
        if variable.default.is_none() && !call.inputs.contains_key(&variable.name) {
            diags.push(
                Diagnostic::error("Missing required argument")
                    .with_detail(format!(
                        "The argument \"{}\" is required by module \"{}\" ({}, declared at {}), but \
                         no definition was found.",
                        variable.name, call.name, call.source, variable.span
                    ))
                    .with_span(call.span.clone()),
            );
        }
    }
}

fn unknown_top_level(block: &Block) -> Diagnostic {
    unsupported_block(block, TOP_LEVEL_BLOCKS, "the top level of a configuration")
}

/// "Invalid UTF-8" located at the line and column of the first bad byte.
fn invalid_utf8(name: &str, bytes: &[u8], error: std::str::Utf8Error) -> Diagnostic {
    let valid = &bytes[..error.valid_up_to()];
    let line = 1 + valid.iter().filter(|b| **b == b'\n').count();
    let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let column = 1 + String::from_utf8_lossy(&valid[line_start..])
        .chars()
        .count();
    Diagnostic::error("Invalid UTF-8 in configuration file").with_detail(format!(
        "{name}:{line}:{column}: the file is not valid UTF-8 (byte 0x{:02x}); configuration files must be UTF-8 encoded.",
        bytes[error.valid_up_to()]
    ))
}

/// The `.tf` and `.tf.json` files of a directory, sorted by file name. A configuration file
/// that is a symlink to nothing, or not a regular file, is an error (in `problems`), never
/// silently skipped.
fn config_files(dir: &Path, problems: &mut Diagnostics) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !(name.ends_with(".tf") || name.ends_with(".tf.json")) {
            continue;
        }
        let problem = match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => {
                files.push(path);
                continue;
            }
            Ok(meta) if meta.is_dir() => continue,
            Ok(_) => "it is not a regular file".to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                "it is a symbolic link to a file that does not exist".to_string()
            }
            Err(e) => e.to_string(),
        };
        problems.push(
            Diagnostic::error("Failed to read configuration file")
                .with_detail(format!("{}: {problem}.", display_name(&path))),
        );
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Names declared so far in one module, with where.
#[derive(Default)]
struct Seen(BTreeMap<String, Span>);

impl Seen {
    fn check(&mut self, key: String, what: &str, span: &Span, diags: &mut Diagnostics) {
        if let Some(first) = self.0.get(&key) {
            diags.push(
                Diagnostic::error(format!("Duplicate {what} configuration"))
                    .with_detail(format!(
                        "The {what} was already declared at {first}; it is declared again at {span}. \
                         Names must be unique within a module."
                    ))
                    .with_span(span.clone()),
            );
        } else {
            self.0.insert(key, span.clone());
        }
    }
}
