//! The designer's editing state: the draft, undo and redo, and autosave.

use formseal_model::{Field, FieldKind, FormDef, LocalText};
use leptos::prelude::*;

use crate::api::save_draft;

/// What the designer edits: the definition and the origins allowed to embed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub definition: FormDef,
    pub origins: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    Saved,
    Unsaved,
    Saving,
    Failed(String),
}

/// Consecutive edits of one input within this time are one undo step.
const COALESCE_MS: f64 = 1500.0;
const AUTOSAVE_DELAY_MS: u64 = 600;
const UNDO_DEPTH: usize = 200;

/// Handles to the editing state; `Copy`, so every closure can hold one.
#[derive(Clone, Copy)]
pub struct Editor {
    pub draft: RwSignal<Snapshot>,
    pub selected: RwSignal<Option<usize>>,
    pub save_state: RwSignal<SaveState>,
    undo: RwSignal<Vec<Snapshot>>,
    redo: RwSignal<Vec<Snapshot>>,
    /// The input last edited and when, for coalescing undo steps.
    last_edit: StoredValue<(String, f64)>,
    revision: RwSignal<u64>,
}

impl Editor {
    pub fn new(definition: FormDef, origins: Vec<String>) -> Self {
        let editor = Editor {
            draft: RwSignal::new(Snapshot { definition, origins }),
            selected: RwSignal::new(None),
            save_state: RwSignal::new(SaveState::Saved),
            undo: RwSignal::new(Vec::new()),
            redo: RwSignal::new(Vec::new()),
            last_edit: StoredValue::new((String::new(), 0.0)),
            revision: RwSignal::new(0),
        };
        editor.autosave();
        editor
    }

    pub fn with_def<T>(&self, f: impl FnOnce(&FormDef) -> T) -> T {
        self.draft.with(|d| f(&d.definition))
    }

    /// Applies one edit. `target` names the input; repeated edits of the same
    /// input in quick succession (typing) make one undo step.
    pub fn edit(&self, target: &str, f: impl FnOnce(&mut Snapshot)) {
        self.apply(target, true, f);
    }

    /// Adding, removing and moving fields are always steps of their own.
    fn step(&self, f: impl FnOnce(&mut Snapshot)) {
        self.apply("", false, f);
    }

    fn apply(&self, target: &str, may_coalesce: bool, f: impl FnOnce(&mut Snapshot)) {
        let now = js_sys::Date::now();
        let coalesce = may_coalesce && self.last_edit.with_value(|(t, at)| t == target && now - at < COALESCE_MS);
        let before = self.draft.get_untracked();
        let mut after = before.clone();
        f(&mut after);
        if after == before {
            return;
        }
        if !coalesce {
            self.undo.update(|u| {
                u.push(before);
                if u.len() > UNDO_DEPTH {
                    u.remove(0);
                }
            });
        }
        self.last_edit.set_value((target.to_owned(), now));
        self.redo.update(Vec::clear);
        self.draft.set(after);
        self.changed();
    }

    pub fn field_edit(&self, index: usize, target: &str, f: impl FnOnce(&mut Field)) {
        self.edit(&format!("field:{index}:{target}"), |s| {
            if let Some(field) = s.definition.fields.get_mut(index) {
                f(field);
            }
        });
    }

    pub fn can_undo(&self) -> bool {
        self.undo.with(|u| !u.is_empty())
    }

    pub fn can_redo(&self) -> bool {
        self.redo.with(|r| !r.is_empty())
    }

    pub fn undo(&self) {
        if let Some(previous) = self.undo.try_update(Vec::pop).flatten() {
            let current = self.draft.get_untracked();
            self.redo.update(|r| r.push(current));
            self.restore(previous);
        }
    }

    pub fn redo(&self) {
        if let Some(next) = self.redo.try_update(Vec::pop).flatten() {
            let current = self.draft.get_untracked();
            self.undo.update(|u| u.push(current));
            self.restore(next);
        }
    }

    fn restore(&self, snapshot: Snapshot) {
        let count = snapshot.definition.fields.len();
        self.draft.set(snapshot);
        self.selected.update(|s| *s = s.filter(|i| *i < count));
        self.last_edit.set_value((String::new(), 0.0));
        self.changed();
    }

    pub fn add_field(&self, type_name: &str) {
        let Some(kind) = FieldKind::blank(type_name) else { return };
        let mut index = 0;
        self.step(|s| {
            let fields = &mut s.definition.fields;
            let key = unique_key(fields, type_name);
            let langs = s.definition.languages.clone();
            let label = LocalText(langs.iter().map(|l| (l.clone(), String::new())).collect());
            fields.push(Field {
                key,
                label,
                help: None,
                placeholder: None,
                required: false,
                class: Default::default(),
                visible_if: None,
                required_if: None,
                kind,
            });
            index = fields.len() - 1;
        });
        self.selected.set(Some(index));
    }

    pub fn remove_field(&self, index: usize) {
        self.step(|s| {
            if index < s.definition.fields.len() {
                s.definition.fields.remove(index);
            }
        });
        self.selected.update(|s| {
            *s = match *s {
                Some(i) if i == index => None,
                Some(i) if i > index => Some(i - 1),
                other => other,
            }
        });
    }

    /// Moves a field from `from` to `to`; the selection follows it.
    pub fn move_field(&self, from: usize, to: usize) {
        let count = self.with_def(|d| d.fields.len());
        if from >= count || to >= count || from == to {
            return;
        }
        self.step(|s| {
            let field = s.definition.fields.remove(from);
            s.definition.fields.insert(to, field);
        });
        self.selected.update(|s| {
            *s = s.map(|i| {
                if i == from {
                    to
                } else if from < i && i <= to {
                    i - 1
                } else if to <= i && i < from {
                    i + 1
                } else {
                    i
                }
            })
        });
    }

    fn changed(&self) {
        self.save_state.set(SaveState::Unsaved);
        self.revision.update(|r| *r += 1);
    }

    /// Saves the draft a moment after the last edit, so leaving the page loses
    /// nothing (and the page warns while a save is still due).
    fn autosave(self) {
        Effect::new(move |_| {
            let revision = self.revision.get();
            if revision == 0 {
                return;
            }
            set_timeout(
                move || {
                    if self.revision.get_untracked() != revision {
                        return; // a later edit will save
                    }
                    self.save_now();
                },
                std::time::Duration::from_millis(AUTOSAVE_DELAY_MS),
            );
        });
    }

    pub fn save_now(&self) {
        let editor = *self;
        let revision = self.revision.get_untracked();
        let snapshot = self.draft.get_untracked();
        self.save_state.set(SaveState::Saving);
        leptos::task::spawn_local(async move {
            let id = snapshot.definition.id.clone();
            let result = save_draft(id, snapshot.definition, snapshot.origins).await;
            let state = match result {
                Ok(()) if editor.revision.get_untracked() == revision => SaveState::Saved,
                Ok(()) => SaveState::Unsaved,
                Err(e) => SaveState::Failed(e.message),
            };
            editor.save_state.set(state);
        });
    }
}

/// `email`, `email_2`, ...: a key no other field has.
fn unique_key(fields: &[Field], type_name: &str) -> String {
    let base = match type_name {
        "short_text" | "long_text" => "text",
        "single_choice" | "multiple_choice" => "choice",
        other => other,
    };
    let taken = |k: &str| fields.iter().any(|f| f.key == k);
    if !taken(base) {
        return base.to_owned();
    }
    (2..).map(|n| format!("{base}_{n}")).find(|k| !taken(k)).unwrap_or_default()
}
