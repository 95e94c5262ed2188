//! Renders an `Element` tree as Plex JSON (`Accept: application/json`): attributes keep their
//! types, listed children become arrays (`Metadata`, `Media`, `Part`, `Stream`), others objects.
//! Pure.

use super::element::{Element, Value};
use serde_json::{Map, Value as Json};

/// `{"MediaContainer": {…}}`. Session items are named `Metadata` in JSON, whatever their XML name.
#[must_use]
pub fn document(root: &Element) -> String {
    let mut top = Map::new();
    top.insert(root.name.to_owned(), object(root, true));
    Json::Object(top).to_string()
}

fn object(element: &Element, is_root: bool) -> Json {
    let mut map = Map::new();
    for (key, value) in &element.attrs {
        let json = match value {
            Value::Str(s) => Json::String(s.clone()),
            Value::Int(n) => Json::from(*n),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::Bool(b) => Json::Bool(*b),
        };
        map.insert((*key).to_owned(), json);
    }
    for child in &element.children {
        let name = if is_root && matches!(child.name, "Video" | "Track") { "Metadata" } else { child.name };
        let rendered = object(child, false);
        if child.listed || is_root {
            match map.entry(name.to_owned()).or_insert_with(|| Json::Array(Vec::new())) {
                Json::Array(items) => items.push(rendered),
                other => *other = Json::Array(vec![other.take(), rendered]),
            }
        } else {
            map.insert(name.to_owned(), rendered);
        }
    }
    Json::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_lists_follow_plex() {
        let root = Element::new("MediaContainer").i("size", 1).child(
            Element::new("Track")
                .s("ratingKey", "7")
                .child(Element::new("User").s("id", "1"))
                .child(Element::new("Media").listed().b("selected", true)),
        );
        let json: Json = serde_json::from_str(&document(&root)).expect("json");
        assert_eq!(json["MediaContainer"]["size"], 1);
        assert_eq!(json["MediaContainer"]["Metadata"][0]["ratingKey"], "7");
        assert_eq!(json["MediaContainer"]["Metadata"][0]["User"]["id"], "1");
        assert_eq!(json["MediaContainer"]["Metadata"][0]["Media"][0]["selected"], true);
    }
}
