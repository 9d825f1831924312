//! The designer's logic editor: when a field or page is shown, when a field is
//! required, where the visitor goes after a page, and an overview of all of it in
//! words.
//!
//! The editor offers what a person can read at a glance: a flat list of comparisons
//! combined by "all of" or "any of". Zero rows store no condition, one row the bare
//! comparison, more a group; anything nested deeper (made outside the designer) is
//! shown as text and can only be replaced. Every edit goes through
//! [`Editor::field_edit`], so undo, redo and autosave work as for any other input.
//! The model's definition check reports what is still wrong; the editor only offers
//! operators and values that check accepts.

use formseal_model::logic::{self, pages};
use formseal_model::{ChoiceOption, Condition, Field, FieldKind, FormDef, Jump, JumpTarget};
use leptos::prelude::*;
use serde_json::Value;

use super::inputs::{list_input, text_input};
use super::state::Editor;
use super::structure::focus_later;

/// `(value, text)` pairs for a `<select>`.
type Choices = Vec<(String, String)>;

// ---------------------------------------------------------------------------
// Where a condition lives

/// Which condition of a field an editor edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    VisibleIf,
    RequiredIf,
    /// The condition of jump rule `n` of a page break.
    Jump(usize),
}

impl Slot {
    /// Part of element ids: `field-{i}-{id}-{row}-op`.
    fn id(self) -> String {
        match self {
            Slot::VisibleIf => "visible".to_owned(),
            Slot::RequiredIf => "required-if".to_owned(),
            Slot::Jump(n) => format!("jump-{n}"),
        }
    }

    /// Part of undo targets: `visible_if:0:value`.
    fn target(self) -> String {
        match self {
            Slot::VisibleIf => "visible_if".to_owned(),
            Slot::RequiredIf => "required_if".to_owned(),
            Slot::Jump(n) => format!("jumps:{n}"),
        }
    }

    fn condition(self, field: &Field) -> Option<&Condition> {
        match self {
            Slot::VisibleIf => field.visible_if.as_ref(),
            Slot::RequiredIf => field.required_if.as_ref(),
            Slot::Jump(n) => jumps_in(field).and_then(|jumps| jumps.get(n)).map(|jump| &jump.when),
        }
    }

    fn write(self, field: &mut Field, condition: Option<Condition>) {
        match self {
            Slot::VisibleIf => field.visible_if = condition,
            Slot::RequiredIf => field.required_if = condition,
            Slot::Jump(n) => {
                if let Some(jump) = jumps_mut(field).and_then(|jumps| jumps.get_mut(n)) {
                    // A rule without comparisons always applies: an empty "all of" holds.
                    jump.when = condition.unwrap_or(Condition::AllOf { conditions: Vec::new() });
                }
            }
        }
    }

    /// Conditions look back only: they may name fields before this position (for a
    /// jump, up to the end of its page; see `formseal_model::logic`).
    fn horizon(self, form: &FormDef, index: usize) -> usize {
        match self {
            Slot::Jump(_) => pages(form).iter().find(|r| r.start == index).map_or(index, |r| r.end),
            Slot::VisibleIf | Slot::RequiredIf => index,
        }
    }
}

fn jumps_in(field: &Field) -> Option<&[Jump]> {
    match &field.kind {
        FieldKind::PageBreak { jumps } => Some(jumps.as_slice()),
        _ => None,
    }
}

fn jumps_mut(field: &mut Field) -> Option<&mut Vec<Jump>> {
    match &mut field.kind {
        FieldKind::PageBreak { jumps } => Some(jumps),
        _ => None,
    }
}

fn jump_count(form: &FormDef, index: usize) -> usize {
    form.fields.get(index).and_then(jumps_in).map_or(0, |jumps| jumps.len())
}

/// The flat form the editor shows: comparisons combined by all of / any of.
#[derive(Clone, Debug, Default, PartialEq)]
struct Rows {
    any: bool,
    list: Vec<Condition>,
}

impl Rows {
    /// `None` when the condition nests groups, which the editor cannot show as rows.
    fn of(condition: Option<&Condition>) -> Option<Rows> {
        match condition {
            None => Some(Rows::default()),
            Some(Condition::AllOf { conditions }) => Rows::group(false, conditions),
            Some(Condition::AnyOf { conditions }) => Rows::group(true, conditions),
            Some(single) => Some(Rows { any: false, list: vec![single.clone()] }),
        }
    }

    fn group(any: bool, conditions: &[Condition]) -> Option<Rows> {
        // An empty "any of" never holds; as zero rows it would read as "always".
        if any && conditions.is_empty() {
            return None;
        }
        conditions.iter().all(is_comparison).then(|| Rows { any, list: conditions.to_vec() })
    }

    fn into_condition(self) -> Option<Condition> {
        let Rows { any, mut list } = self;
        match list.len() {
            0 => None,
            1 => list.pop(),
            _ if any => Some(Condition::AnyOf { conditions: list }),
            _ => Some(Condition::AllOf { conditions: list }),
        }
    }
}

fn is_comparison(condition: &Condition) -> bool {
    !matches!(condition, Condition::AllOf { .. } | Condition::AnyOf { .. })
}

fn is_always(condition: &Condition) -> bool {
    matches!(condition, Condition::AllOf { conditions } if conditions.is_empty())
}

fn row_of(condition: Option<&Condition>, row: usize) -> Option<Condition> {
    Rows::of(condition).and_then(|rows| rows.list.into_iter().nth(row))
}

/// One condition of one field, as the controls that edit it see it. `Copy`, so every
/// closure can hold one.
#[derive(Clone, Copy)]
struct Cond {
    editor: Editor,
    index: usize,
    slot: Slot,
}

impl Cond {
    fn prefix(self) -> String {
        format!("field-{}-{}", self.index, self.slot.id())
    }

    /// Reads the condition (reactively where called in a reactive closure).
    fn read<T>(self, f: impl FnOnce(&FormDef, Option<&Condition>) -> T) -> T {
        self.editor.with_def(|d| f(d, d.fields.get(self.index).and_then(|field| self.slot.condition(field))))
    }

    fn rows(self) -> Option<Rows> {
        self.read(|_, c| Rows::of(c))
    }

    /// Rewrites the rows through `f` and stores the result as an edit of `what`.
    /// Nothing happens to a nested condition.
    fn edit_rows(self, what: &str, f: impl FnOnce(&FormDef, &mut Rows)) {
        let Some(condition) = self.read(|d, current| {
            Rows::of(current).map(|mut rows| {
                f(d, &mut rows);
                rows.into_condition()
            })
        }) else {
            return;
        };
        let slot = self.slot;
        self.editor
            .field_edit(self.index, &format!("{}:{what}", slot.target()), move |field| slot.write(field, condition));
    }

    /// Replaces the comparison in `row` by what `f` makes of it.
    fn edit_row(self, row: usize, what: &str, f: impl FnOnce(&FormDef, &Condition) -> Condition) {
        self.edit_rows(&format!("{row}:{what}"), |d, rows| {
            if let Some(current) = rows.list.get_mut(row) {
                let next = f(d, current);
                *current = next;
            }
        });
    }
}

// ---------------------------------------------------------------------------
// Comparisons

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Equals,
    NotEquals,
    OneOf,
    Contains,
    GreaterThan,
    LessThan,
    Answered,
    NotAnswered,
}

impl Op {
    const ALL: [Op; 8] = [
        Op::Equals,
        Op::NotEquals,
        Op::OneOf,
        Op::Contains,
        Op::GreaterThan,
        Op::LessThan,
        Op::Answered,
        Op::NotAnswered,
    ];

    fn of(condition: &Condition) -> Option<Op> {
        Some(match condition {
            Condition::Equals { .. } => Op::Equals,
            Condition::NotEquals { .. } => Op::NotEquals,
            Condition::OneOf { .. } => Op::OneOf,
            Condition::Contains { .. } => Op::Contains,
            Condition::GreaterThan { .. } => Op::GreaterThan,
            Condition::LessThan { .. } => Op::LessThan,
            Condition::Answered { .. } => Op::Answered,
            Condition::NotAnswered { .. } => Op::NotAnswered,
            Condition::AllOf { .. } | Condition::AnyOf { .. } => return None,
        })
    }

    /// The `<option>` value.
    fn name(self) -> &'static str {
        match self {
            Op::Equals => "equals",
            Op::NotEquals => "not_equals",
            Op::OneOf => "one_of",
            Op::Contains => "contains",
            Op::GreaterThan => "greater_than",
            Op::LessThan => "less_than",
            Op::Answered => "answered",
            Op::NotAnswered => "not_answered",
        }
    }

    fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The words for a field of `kind`: dates are "after", choices are "included".
    fn label(self, kind: Option<&FieldKind>) -> &'static str {
        let date = matches!(kind, Some(FieldKind::Date { .. }));
        let multiple = matches!(kind, Some(FieldKind::MultipleChoice { .. }));
        match self {
            Op::Equals => "is",
            Op::NotEquals => "is not",
            Op::OneOf => "is one of",
            Op::Contains if multiple => "includes",
            Op::Contains => "contains",
            Op::GreaterThan if date => "is after",
            Op::GreaterThan => "is greater than",
            Op::LessThan if date => "is before",
            Op::LessThan => "is less than",
            Op::Answered => "is answered",
            Op::NotAnswered => "is not answered",
        }
    }

    /// The shorter words of the overview (`amount > 1000`).
    fn words(self, kind: Option<&FieldKind>) -> &'static str {
        let date = matches!(kind, Some(FieldKind::Date { .. }));
        match self {
            Op::GreaterThan if !date => ">",
            Op::LessThan if !date => "<",
            _ => self.label(kind),
        }
    }

    fn takes_value(self) -> bool {
        !matches!(self, Op::Answered | Op::NotAnswered)
    }
}

/// The operators the definition check accepts for a field of `kind`, so the editor
/// never offers a comparison that can only be a problem. For a field that no longer
/// exists: all of them (the check names the missing field).
fn ops_for(kind: Option<&FieldKind>) -> Vec<Op> {
    let compare: &[Op] = match kind {
        None => &[Op::Equals, Op::NotEquals, Op::OneOf, Op::Contains, Op::GreaterThan, Op::LessThan],
        Some(FieldKind::YesNo | FieldKind::Consent { .. }) => &[Op::Equals, Op::NotEquals],
        Some(FieldKind::SingleChoice { .. }) => &[Op::Equals, Op::NotEquals, Op::OneOf],
        Some(FieldKind::MultipleChoice { .. }) => &[Op::Contains],
        Some(
            FieldKind::Number { .. }
            | FieldKind::Date { .. }
            | FieldKind::Rating { .. }
            | FieldKind::OpinionScale { .. }
            | FieldKind::Calculation { .. },
        ) => &[Op::Equals, Op::NotEquals, Op::GreaterThan, Op::LessThan],
        Some(k) if logic::is_text(k) => &[Op::Equals, Op::NotEquals, Op::OneOf, Op::Contains],
        // Address, signature, date and time, matrix, ranking: only whether it was answered.
        Some(_) => &[],
    };
    compare.iter().copied().chain([Op::Answered, Op::NotAnswered]).collect()
}

/// The operator choices of a row; the current operator stays listed even where it
/// does not fit (made outside the designer), so the select shows the truth.
fn op_choices(kind: Option<&FieldKind>, current: Option<Op>) -> Choices {
    let mut ops = ops_for(kind);
    if let Some(op) = current.filter(|op| !ops.contains(op)) {
        ops.push(op);
    }
    ops.into_iter().map(|op| (op.name().to_owned(), op.label(kind).to_owned())).collect()
}

/// What a row offers to enter its value with.
#[derive(Clone, Debug, PartialEq)]
enum ValueControl {
    None,
    /// Typed; the label says what to type.
    Text(&'static str),
    /// Several values separated by commas.
    List,
    /// One of these.
    Pick(Choices),
}

fn value_control(kind: Option<&FieldKind>, op: Op, lang: &str) -> ValueControl {
    if !op.takes_value() {
        return ValueControl::None;
    }
    match (kind, op) {
        (Some(FieldKind::YesNo | FieldKind::Consent { .. }), _) => {
            ValueControl::Pick(vec![("true".to_owned(), "Yes".to_owned()), ("false".to_owned(), "No".to_owned())])
        }
        (Some(FieldKind::SingleChoice { options, .. }), Op::Equals | Op::NotEquals) => {
            ValueControl::Pick(option_choices(options, lang))
        }
        (Some(kind @ (FieldKind::Rating { .. } | FieldKind::OpinionScale { .. })), _) => {
            let points = kind.points().into_iter().flatten();
            ValueControl::Pick(points.map(|p| (p.to_string(), p.to_string())).collect())
        }
        (Some(FieldKind::MultipleChoice { options, .. }), Op::Contains) => {
            ValueControl::Pick(option_choices(options, lang))
        }
        (_, Op::OneOf) => ValueControl::List,
        (Some(FieldKind::Number { .. } | FieldKind::Calculation { .. }), _) => ValueControl::Text("Value (a number)"),
        (Some(FieldKind::Date { .. }), _) => ValueControl::Text("Value (YYYY-MM-DD)"),
        _ => ValueControl::Text("Value"),
    }
}

fn option_choices(options: &[ChoiceOption], lang: &str) -> Choices {
    options
        .iter()
        .map(|o| {
            let label = o.label.get(lang).trim();
            (o.value.clone(), if label.is_empty() { o.value.clone() } else { label.to_owned() })
        })
        .collect()
}

fn kind_of<'a>(form: &'a FormDef, key: &str) -> Option<&'a FieldKind> {
    form.field(key).map(|f| &f.kind)
}

/// The field a comparison names.
fn field_key(condition: &Condition) -> String {
    condition.fields().first().map(|key| (*key).to_owned()).unwrap_or_default()
}

fn json_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A comparison's value as its control shows it.
fn value_text(condition: &Condition) -> String {
    match condition {
        Condition::Equals { value, .. } | Condition::NotEquals { value, .. } => json_text(value),
        Condition::OneOf { values, .. } => values.iter().map(json_text).collect::<Vec<_>>().join(", "),
        Condition::Contains { value, .. }
        | Condition::GreaterThan { value, .. }
        | Condition::LessThan { value, .. } => value.clone(),
        _ => String::new(),
    }
}

fn list_values(condition: &Condition) -> Vec<String> {
    match condition {
        Condition::OneOf { values, .. } => values.iter().map(json_text).collect(),
        _ => Vec::new(),
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect()
}

/// Where the value is picked from a list, a value not on it becomes the first entry:
/// what the select shows is what is stored.
fn fit_value(kind: Option<&FieldKind>, op: Op, text: &str) -> String {
    match value_control(kind, op, "") {
        ValueControl::Pick(choices) if !choices.iter().any(|(value, _)| value.as_str() == text) => {
            choices.into_iter().next().map(|(value, _)| value).unwrap_or_default()
        }
        _ => text.to_owned(),
    }
}

/// The JSON an answer of `kind` is compared with (see `Condition::Equals`).
fn answer_value(kind: Option<&FieldKind>, text: &str) -> Value {
    match kind {
        Some(FieldKind::YesNo | FieldKind::Consent { .. }) => Value::Bool(text == "true"),
        Some(
            FieldKind::Number { .. }
            | FieldKind::Date { .. }
            | FieldKind::Rating { .. }
            | FieldKind::OpinionScale { .. }
            | FieldKind::Calculation { .. },
        ) => Value::String(text.trim().to_owned()),
        _ => Value::String(text.to_owned()),
    }
}

/// The comparison `op` on `field` with the value typed or picked as `text`.
fn comparison(op: Op, field: String, kind: Option<&FieldKind>, text: &str) -> Condition {
    let text = fit_value(kind, op, text);
    match op {
        Op::Equals => Condition::Equals { field, value: answer_value(kind, &text) },
        Op::NotEquals => Condition::NotEquals { field, value: answer_value(kind, &text) },
        Op::OneOf => Condition::OneOf { field, values: split_list(&text).into_iter().map(Value::String).collect() },
        Op::Contains => Condition::Contains { field, value: text },
        // Numbers and dates, trimmed as the number settings are.
        Op::GreaterThan => Condition::GreaterThan { field, value: text.trim().to_owned() },
        Op::LessThan => Condition::LessThan { field, value: text.trim().to_owned() },
        Op::Answered => Condition::Answered { field },
        Op::NotAnswered => Condition::NotAnswered { field },
    }
}

/// `row` on another field: the operator stays if it fits, the value if the field is
/// of the same type.
fn with_field(form: &FormDef, row: &Condition, key: &str) -> Condition {
    let kind = kind_of(form, key);
    let old = field_key(row);
    let same_type = kind.map(FieldKind::type_name) == kind_of(form, &old).map(FieldKind::type_name);
    let ops = ops_for(kind);
    let op = Op::of(row).filter(|op| ops.contains(op)).or_else(|| ops.first().copied()).unwrap_or(Op::Answered);
    let text = if same_type { value_text(row) } else { String::new() };
    comparison(op, key.to_owned(), kind, &text)
}

/// `row` with another operator, keeping what can be kept of the value.
fn with_op(form: &FormDef, row: &Condition, op: Op) -> Condition {
    let key = field_key(row);
    let kind = kind_of(form, &key);
    comparison(op, key, kind, &value_text(row))
}

fn with_text(form: &FormDef, row: &Condition, text: &str) -> Condition {
    let Some(op) = Op::of(row) else { return row.clone() };
    let key = field_key(row);
    let kind = kind_of(form, &key);
    comparison(op, key, kind, text)
}

/// The fields a condition of field `index` may name, as choices labelled
/// "Label (key)" in the form's first language.
fn answer_fields(form: &FormDef, index: usize, slot: Slot) -> Choices {
    let lang = form.default_lang();
    form.fields
        .iter()
        .take(slot.horizon(form, index))
        .filter(|f| !f.kind.is_static())
        .map(|f| {
            let label = f.label.get(lang).trim();
            let text = if label.is_empty() { f.key.clone() } else { format!("{label} ({})", f.key) };
            (f.key.clone(), text)
        })
        .collect()
}

/// A new row: on the nearest field before, the one most likely meant.
fn first_comparison(form: &FormDef, index: usize, slot: Slot) -> Option<Condition> {
    let (key, _) = answer_fields(form, index, slot).pop()?;
    let kind = kind_of(form, &key);
    let op = ops_for(kind).first().copied().unwrap_or(Op::Answered);
    Some(comparison(op, key, kind, ""))
}

// ---------------------------------------------------------------------------
// The editor in the property panel

/// The logic part of the property panel of field `index` of type `type_name`.
pub fn logic_settings(editor: Editor, index: usize, type_name: &str) -> AnyView {
    if type_name == "hidden" {
        return ().into_any();
    }
    let is_break = type_name == "page_break";
    // A calculation is computed, never typed, so nothing makes it required.
    let answerable = !matches!(type_name, "heading" | "paragraph" | "page_break" | "calculation");
    let cond = move |slot: Slot| Cond { editor, index, slot };
    let visible = if is_break && index == 0 {
        view! { <p class="muted small">"This is the first page: it is always shown."</p> }.into_any()
    } else if is_break {
        condition_editor(cond(Slot::VisibleIf), "Show this page only when …", "Always shown.")
    } else {
        condition_editor(cond(Slot::VisibleIf), "Show this field only when …", "Always shown.")
    };
    let required = answerable.then(|| {
        view! {
            {condition_editor(cond(Slot::RequiredIf), "Required when …", "Not required by any condition.")}
            <Show when=move || editor.with_def(|d| d.fields.get(index).is_some_and(|f| f.required))>
                <p class="muted small">"“Required” is ticked above, so this field is required whenever it is shown."</p>
            </Show>
        }
    });
    let logic = view! {
        <fieldset class="logic">
            <legend>"Logic"</legend>
            {visible}
            {required}
        </fieldset>
    };
    if is_break { view! { {logic}{jumps_editor(editor, index)} }.into_any() } else { logic.into_any() }
}

/// A labelled select. Each option marks itself selected: the options may be drawn
/// after the select's own properties are set, so `prop:value` on the select could
/// point at an option that does not exist yet.
fn select_input(
    id: String,
    label: &'static str,
    options: impl Fn() -> Choices + Send + Sync + 'static,
    value: impl Fn() -> String + Clone + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
) -> impl IntoView {
    let choices = move || {
        options()
            .into_iter()
            .map(|(choice, text)| {
                let current = value.clone();
                let attr = choice.clone();
                view! { <option value=attr prop:selected=move || current() == choice>{text}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="prop">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| set(event_target_value(&ev))>{choices}</select>
        </div>
    }
}

/// Rows of comparisons for one condition. Redrawn when the number of rows changes
/// (or the condition stops being flat), never while a value is typed.
fn condition_editor(cond: Cond, title: &'static str, empty: &'static str) -> AnyView {
    let title_id = format!("{}-title", cond.prefix());
    let layout = Memo::new(move |_| cond.rows().map(|rows| rows.list.len()));
    let fields = Memo::new(move |_| cond.editor.with_def(|d| answer_fields(d, cond.index, cond.slot)));
    let body = move || match layout.get() {
        None => nested_view(cond).into_any(),
        Some(count) => {
            let items = (0..count).map(|row| row_view(cond, row, fields)).collect_view();
            view! {
                {(count >= 2).then(|| combine_select(cond))}
                {(count == 0).then(|| view! { <p class="muted small">{empty}</p> })}
                {(count > 0).then(|| view! { <ol class="logic-rows">{items}</ol> })}
                {add_button(cond, fields, count)}
            }
            .into_any()
        }
    };
    // Two owned copies: the macro need not evaluate parent and child attributes in
    // source order.
    let labelled_by = title_id.clone();
    view! {
        <div class="logic-condition" role="group" aria-labelledby=labelled_by>
            <p class="logic-title" id=title_id>{title}</p>
            {body}
        </div>
    }
    .into_any()
}

fn combine_select(cond: Cond) -> impl IntoView {
    let value = move || if cond.rows().is_some_and(|rows| rows.any) { "any".to_owned() } else { "all".to_owned() };
    select_input(
        format!("{}-combine", cond.prefix()),
        "Combine",
        || {
            vec![
                ("all".to_owned(), "All of these hold".to_owned()),
                ("any".to_owned(), "Any of these holds".to_owned()),
            ]
        },
        value,
        move |v: String| cond.edit_rows("combine", move |_, rows| rows.any = v == "any"),
    )
}

fn add_button(cond: Cond, fields: Memo<Choices>, count: usize) -> impl IntoView {
    let new_row = format!("{}-{count}-field", cond.prefix());
    let add = move |_| {
        // The count makes each addition its own undo step.
        cond.edit_rows(&format!("add:{count}"), |d, rows| {
            if let Some(row) = first_comparison(d, cond.index, cond.slot) {
                rows.list.push(row);
            }
        });
        focus_later(new_row.clone());
    };
    let nothing = move || fields.with(Vec::is_empty);
    view! {
        <button type="button" id=format!("{}-add", cond.prefix()) disabled=nothing on:click=add>
            "+ Add condition"
        </button>
        <Show when=nothing>
            <p class="muted small">"Nothing before this takes an answer, so there is nothing to depend on yet."</p>
        </Show>
    }
}

/// One comparison: field, operator, value, remove.
fn row_view(cond: Cond, row: usize, fields: Memo<Choices>) -> impl IntoView {
    let base = format!("{}-{row}", cond.prefix());
    let add_id = format!("{}-add", cond.prefix());
    // Memos, so the selects redraw their options only when these change.
    let key = Memo::new(move |_| cond.read(|_, c| row_of(c, row).map(|r| field_key(&r)).unwrap_or_default()));
    let op = Memo::new(move |_| cond.read(|_, c| row_of(c, row).and_then(|r| Op::of(&r))));
    let ops = Memo::new(move |_| {
        cond.read(|d, c| row_of(c, row).map(|r| op_choices(kind_of(d, &field_key(&r)), Op::of(&r))).unwrap_or_default())
    });
    let control = Memo::new(move |_| {
        cond.read(|d, c| {
            row_of(c, row)
                .and_then(|r| Op::of(&r).map(|op| value_control(kind_of(d, &field_key(&r)), op, d.default_lang())))
                .unwrap_or(ValueControl::None)
        })
    });
    // A field that is gone or now comes later stays visible as what it is.
    let field_options = Memo::new(move |_| {
        let current = key.get();
        let mut options = fields.get();
        if !options.iter().any(|(k, _)| *k == current) {
            let text = if current.is_empty() {
                "Choose a field".to_owned()
            } else {
                format!("{current} (not available here)")
            };
            options.insert(0, (current, text));
        }
        options
    });
    let value_id = format!("{base}-value");
    let value = move || {
        let id = value_id.clone();
        let current = move || cond.read(|_, c| row_of(c, row).map(|r| value_text(&r)).unwrap_or_default());
        let write = move |text: String| cond.edit_row(row, "value", move |d, r| with_text(d, r, &text));
        match control.get() {
            ValueControl::None => ().into_any(),
            ValueControl::Text(label) => text_input(id, label.to_owned(), current, write).into_any(),
            ValueControl::List => list_input(
                id,
                "Values (separated by commas)".to_owned(),
                false,
                move || cond.read(|_, c| row_of(c, row).map(|r| list_values(&r)).unwrap_or_default()),
                split_list,
                move |values: Vec<String>| cond.edit_row(row, "value", move |d, r| with_text(d, r, &values.join(","))),
            )
            .into_any(),
            ValueControl::Pick(choices) => {
                select_input(id, "Value", move || choices.clone(), current, write).into_any()
            }
        }
    };
    let remove = move |_| {
        let count = cond.rows().map_or(0, |rows| rows.list.len());
        cond.edit_rows(&format!("remove:{row}:{count}"), |_, rows| {
            if row < rows.list.len() {
                rows.list.remove(row);
            }
        });
        focus_later(add_id.clone());
    };
    view! {
        <li class="logic-row">
            {select_input(
                format!("{base}-field"),
                "Field",
                move || field_options.get(),
                move || key.get(),
                move |k: String| cond.edit_row(row, "field", move |d, r| with_field(d, r, &k)),
            )}
            {select_input(
                format!("{base}-op"),
                "Operator",
                move || ops.get(),
                move || op.get().map(|o| o.name().to_owned()).unwrap_or_default(),
                move |name: String| {
                    if let Some(next) = Op::parse(&name) {
                        cond.edit_row(row, "op", move |d, r| with_op(d, r, next));
                    }
                },
            )}
            {value}
            <button type="button" class="link" aria-label=format!("Remove condition {}", row + 1) on:click=remove>
                "Remove"
            </button>
        </li>
    }
}

/// A condition the rows cannot show: as text, with a way out.
fn nested_view(cond: Cond) -> impl IntoView {
    let text = move || cond.read(|d, c| c.map(|c| describe(d, c)).unwrap_or_default());
    let replace = move |_| {
        let slot = cond.slot;
        cond.editor.field_edit(cond.index, &format!("{}:replace", slot.target()), move |f| slot.write(f, None));
    };
    view! {
        <p class="logic-nested">{text}</p>
        <p class="muted small">"This condition nests groups (it was made outside the designer), so it is shown as text."</p>
        <button type="button" on:click=replace>"Replace with a simple condition"</button>
    }
}

// ---------------------------------------------------------------------------
// Jumps after a page

/// Page breaks after the page that `index` starts, as (key, "Page 3: title").
fn later_pages(form: &FormDef, index: usize) -> Choices {
    let ranges = pages(form);
    let Some(here) = ranges.iter().position(|r| r.start == index) else { return Vec::new() };
    ranges
        .iter()
        .enumerate()
        .skip(here + 1)
        .filter_map(|(n, r)| {
            let field = form.fields.get(r.start)?;
            Some((field.key.clone(), format!("Page {}: {}", n + 1, title_of(form, field))))
        })
        .collect()
}

/// A new rule: on the nearest answer of this page, skipping the next page (going
/// to the next one is what happens anyway).
fn new_jump(form: &FormDef, index: usize) -> Jump {
    let when = first_comparison(form, index, Slot::Jump(0)).unwrap_or(Condition::AllOf { conditions: Vec::new() });
    let to = later_pages(form, index).into_iter().nth(1).map_or(JumpTarget::End, |(key, _)| JumpTarget::Page(key));
    Jump { when, to }
}

fn jumps_editor(editor: Editor, index: usize) -> impl IntoView {
    let count = Memo::new(move |_| editor.with_def(|d| jump_count(d, index)));
    let targets = Memo::new(move |_| editor.with_def(|d| later_pages(d, index)));
    let add_id = format!("field-{index}-jumps-add");
    let rules = move || {
        let n = count.get();
        let items = (0..n).map(|j| jump_view(editor, index, j, targets)).collect_view();
        (n > 0).then(|| view! { <ol class="logic-jumps">{items}</ol> })
    };
    let add = move |_| {
        let (n, jump) = editor.with_def(|d| (jump_count(d, index), new_jump(d, index)));
        let focus = if is_always(&jump.when) {
            format!("field-{index}-jump-{n}-to")
        } else {
            format!("field-{index}-jump-{n}-0-field")
        };
        editor.field_edit(index, &format!("jumps:add:{n}"), move |f| {
            if let Some(jumps) = jumps_mut(f) {
                jumps.push(jump);
            }
        });
        focus_later(focus);
    };
    view! {
        <fieldset class="logic">
            <legend>"Jumps after this page"</legend>
            <p class="muted small">
                "Tried in order when the visitor leaves this page; the first that holds decides where to go. \
                 Without one, the next page follows."
            </p>
            {rules}
            <button type="button" id=add_id on:click=add>"+ Add jump"</button>
        </fieldset>
    }
}

fn jump_view(editor: Editor, index: usize, j: usize, targets: Memo<Choices>) -> impl IntoView {
    let cond = Cond { editor, index, slot: Slot::Jump(j) };
    let add_id = format!("field-{index}-jumps-add");
    let to = Memo::new(move |_| {
        editor.with_def(|d| match d.fields.get(index).and_then(jumps_in).and_then(|js| js.get(j)).map(|js| &js.to) {
            Some(JumpTarget::Page(key)) => format!("page:{key}"),
            _ => "end".to_owned(),
        })
    });
    let options = Memo::new(move |_| {
        let current = to.get();
        let mut options: Choices =
            targets.get().into_iter().map(|(key, label)| (format!("page:{key}"), label)).collect();
        if current != "end" && !options.iter().any(|(v, _)| *v == current) {
            let key = current.strip_prefix("page:").unwrap_or(&current).to_owned();
            options.insert(0, (current, format!("{key} (not a later page)")));
        }
        options.push(("end".to_owned(), "The end (submit)".to_owned()));
        options
    });
    let set_to = move |value: String| {
        let target = match value.strip_prefix("page:") {
            Some(key) => JumpTarget::Page(key.to_owned()),
            None => JumpTarget::End,
        };
        editor.field_edit(index, &format!("jumps:{j}:to"), move |f| {
            if let Some(jump) = jumps_mut(f).and_then(|jumps| jumps.get_mut(j)) {
                jump.to = target;
            }
        });
    };
    let remove = move |_| {
        let n = editor.with_def(|d| jump_count(d, index));
        editor.field_edit(index, &format!("jumps:remove:{j}:{n}"), |f| {
            if let Some(jumps) = jumps_mut(f).filter(|jumps| j < jumps.len()) {
                jumps.remove(j);
            }
        });
        focus_later(add_id.clone());
    };
    view! {
        <li class="logic-jump">
            <p class="logic-rule">{format!("Rule {}", j + 1)}</p>
            {condition_editor(cond, "If …", "Always (no condition).")}
            {select_input(format!("field-{index}-jump-{j}-to"), "Go to", move || options.get(), move || to.get(), set_to)}
            <button type="button" class="link" aria-label=format!("Remove rule {}", j + 1) on:click=remove>
                "Remove rule"
            </button>
        </li>
    }
}

// ---------------------------------------------------------------------------
// In words

/// A condition as a person reads it: `injured is yes`, `amount > 1000`,
/// `vehicles includes car`, `all of (a; b)`. Fields by key, values as stored.
pub fn describe(form: &FormDef, condition: &Condition) -> String {
    let (key, op) = match (condition, Op::of(condition)) {
        (Condition::AllOf { conditions }, _) => return group(form, "all of", conditions, "always"),
        (Condition::AnyOf { conditions }, _) => return group(form, "any of", conditions, "never"),
        (_, None) => return String::new(),
        (_, Some(op)) => (field_key(condition), op),
    };
    let kind = kind_of(form, &key);
    let words = op.words(kind);
    match condition {
        Condition::Equals { value, .. } | Condition::NotEquals { value, .. } => {
            format!("{key} {words} {}", value_words(value))
        }
        Condition::OneOf { values, .. } => {
            format!("{key} {words} {}", values.iter().map(value_words).collect::<Vec<_>>().join(", "))
        }
        Condition::Contains { value, .. }
        | Condition::GreaterThan { value, .. }
        | Condition::LessThan { value, .. } => {
            format!("{key} {words} {}", quoted(value))
        }
        _ => format!("{key} {words}"),
    }
}

fn group(form: &FormDef, word: &str, conditions: &[Condition], empty: &str) -> String {
    match conditions {
        [] => empty.to_owned(),
        [only] => describe(form, only),
        _ => format!("{word} ({})", conditions.iter().map(|c| describe(form, c)).collect::<Vec<_>>().join("; ")),
    }
}

fn value_words(value: &Value) -> String {
    match value {
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::String(text) => quoted(text),
        other => other.to_string(),
    }
}

/// Quotes a value only where it would otherwise blur into the words around it.
fn quoted(text: &str) -> String {
    if text.is_empty() || text.contains(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')')) {
        format!("“{text}”")
    } else {
        text.to_owned()
    }
}

/// A field's label in the form's first language, or its key when it has none.
fn title_of(form: &FormDef, field: &Field) -> String {
    let label = field.label.get(form.default_lang()).trim();
    if label.is_empty() { field.key.clone() } else { label.to_owned() }
}

/// One line of the logic overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogicLine {
    /// Position of the field the line is about.
    pub field: usize,
    pub text: String,
}

/// Every condition and jump of `form`, in form order, in words.
pub fn logic_lines(form: &FormDef) -> Vec<LogicLine> {
    let mut lines = Vec::new();
    for (index, field) in form.fields.iter().enumerate() {
        let name = match field.kind {
            FieldKind::PageBreak { .. } => format!("Page «{}»", title_of(form, field)),
            _ => format!("«{}»", title_of(form, field)),
        };
        let mut add = |text: String| lines.push(LogicLine { field: index, text });
        if let Some(condition) = &field.visible_if {
            add(format!("{name} shown when {}", describe(form, condition)));
        }
        if let Some(condition) = &field.required_if {
            add(format!("{name} required when {}", describe(form, condition)));
        }
        for jump in jumps_in(field).unwrap_or_default() {
            add(jump_text(form, &name, jump));
        }
        if let FieldKind::Calculation { formula, .. } = &field.kind {
            add(format!("{name} = {}", formula.to_text()));
        }
    }
    lines
}

fn jump_text(form: &FormDef, name: &str, jump: &Jump) -> String {
    let target = match &jump.to {
        JumpTarget::End => "the end".to_owned(),
        JumpTarget::Page(key) => match form.field(key) {
            Some(field) => format!("page «{}»", title_of(form, field)),
            None => format!("«{key}»"),
        },
    };
    if is_always(&jump.when) {
        format!("{name} always jumps to {target}")
    } else {
        format!("{name} jumps to {target} when {}", describe(form, &jump.when))
    }
}

/// All logic of the form in words, beside the data overview.
#[component]
pub fn LogicOverview(editor: Editor) -> impl IntoView {
    let lines = Memo::new(move |_| editor.with_def(logic_lines));
    let list = move || {
        let lines = lines.get();
        if lines.is_empty() {
            return view! { <p class="muted">"No field depends on another yet."</p> }.into_any();
        }
        let items = lines
            .into_iter()
            .map(|line| {
                let i = line.field;
                view! {
                    <li>
                        {line.text}" "
                        <button type="button" class="link" on:click=move |_| editor.selected.set(Some(i))>"Show field"</button>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="logic-overview">{items}</ul> }.into_any()
    };
    view! {
        <section class="panel" aria-labelledby="logic-title">
            <h2 id="logic-title">"Logic overview"</h2>
            {list}
        </section>
    }
}
