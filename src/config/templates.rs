//! Parsed string templates by their text, per thread: the configuration parser puts each quoted
//! template it parsed here, and the evaluator looks templates up here before parsing one itself,
//! so a template written once in a module is parsed once per run.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use hcl::template::Template;

/// How many parsed templates a thread keeps before starting afresh.
const CACHE_LIMIT: usize = 10_000;

thread_local! {
    /// Parsed templates by their text.
    static CACHE: RefCell<HashMap<String, Rc<Template>>> = RefCell::new(HashMap::new());
}

/// Keeps `template`, parsed from `text`, unless one is kept for that text already; returns the
/// kept one.
pub fn remember(text: &str, template: Template) -> Rc<Template> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(kept) = cache.get(text) {
            return Rc::clone(kept);
        }
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        let template = Rc::new(template);
        cache.insert(text.to_string(), Rc::clone(&template));
        template
    })
}

/// The template kept for `text`, if any.
pub fn lookup(text: &str) -> Option<Rc<Template>> {
    CACHE.with(|cache| cache.borrow().get(text).cloned())
}
