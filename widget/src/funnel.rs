//! The funnel's events (see `formseal_model::funnel`): at most one per stage and
//! page load, with nothing that could tell visitors apart (no cookie, no id; the
//! request carries no credentials). Fire and forget: a lost event is a lost count.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use formseal_model::funnel::Event;

#[derive(Clone)]
pub struct Funnel {
    url: Rc<str>,
    sent: Rc<RefCell<BTreeSet<String>>>,
}

impl Funnel {
    pub fn new(api_base: &str, form_id: &str) -> Funnel {
        Funnel { url: format!("{api_base}/api/v1/forms/{form_id}/events").into(), sent: Rc::default() }
    }

    pub fn send(&self, event: Event) {
        if !self.sent.borrow_mut().insert(event.counter()) {
            return;
        }
        let Ok(body) = serde_json::to_string(&event) else { return };
        let url = self.url.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = crate::api::send(&url, Some(body)).await;
        });
    }
}
