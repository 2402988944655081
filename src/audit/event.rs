//! The content of an audit event, built from the decision it records.
//! Only strings, integers, booleans and null: no floats, so every verifier
//! (gate's raw-byte one, llm-leash's `json.dumps` one) agrees on the bytes.

use serde_json::{json, Map, Value};

use crate::decision::Decision;
use crate::findings::{Kind, Status};
use crate::overrides::OverrideStatus;

/// `gate x.y.z`.
pub fn tool() -> String {
    format!("gate {}", env!("CARGO_PKG_VERSION"))
}

/// The timestamp of an event: RFC 3339, UTC, microseconds.
pub fn ts(now: jiff::Timestamp) -> String {
    now.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The event recording decision `d`.
pub fn from_decision(d: &Decision, actor: &str, now: jiff::Timestamp) -> Map<String, Value> {
    let used = d
        .overrides
        .iter()
        .find(|o| o.status == OverrideStatus::Used);
    let leakage: Vec<&str> = d
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Leakage && f.status == Status::Fail)
        .map(|f| f.id.as_str())
        .collect();
    let value = json!({
        "ts": ts(now),
        "event_type": d.event_type,
        "command": d.command,
        "decision": d.decision,
        "exit_code": d.exit_code,
        "env": d.env,
        "version": d.version,
        "sha": d.sha,
        "release_commit": d.release_commit,
        "identity_hash": d.identity_hash,
        "policy": d.policy,
        "leakage_types": leakage,
        "findings": d.findings.iter().map(|f| json!({
            "id": f.id, "kind": f.kind, "status": f.status, "action": f.action, "covered_by": f.covered_by,
        })).collect::<Vec<_>>(),
        "overrides": d.overrides.iter().map(|o| json!({"path": o.path, "sha256": o.sha256, "status": o.status})).collect::<Vec<_>>(),
        "override_file": used.map(|o| json!({
            "path": o.path, "sha256": o.sha256, "approved_by": o.approved_by, "requested_by": o.requested_by,
            "reason": o.reason, "expires_at": o.expires_at, "leakage_types": o.leakage_types,
        })),
        "actor": used.and_then(|o| o.approved_by.first().cloned()).unwrap_or_else(|| actor.to_string()),
        "inputs": d.inputs.iter().map(|i| json!({"file": i.file, "sha256": i.sha256.get()})).collect::<Vec<_>>(),
        "error": d.error.as_ref().map(|e| e.message.clone()),
        "tool": tool(),
    });
    match value {
        Value::Object(mut m) => {
            // Recorded where a policy file was read, so events of the
            // built-in policy read as they always have.
            if d.policy.is_none() {
                m.remove("policy");
            }
            m
        }
        _ => Map::new(),
    }
}

/// An event about an override file (OVERRIDE_CREATED, OVERRIDE_EXPIRED by
/// `gate override expire`).
pub fn override_event(
    event_type: &str,
    command: &str,
    path: &str,
    sha256: &str,
    data: &Value,
    actor: &str,
    now: jiff::Timestamp,
) -> Map<String, Value> {
    let get = |k: &str| data.get(k).cloned().unwrap_or(Value::Null);
    let value = json!({
        "ts": ts(now),
        "event_type": event_type,
        "command": command,
        "env": get("scope"),
        "sha": get("approved_head_sha"),
        "identity_hash": get("identity_hash"),
        "leakage_types": get("leakage_types"),
        "override_file": {
            "path": path, "sha256": sha256, "approved_by": get("approved_by"), "requested_by": get("requested_by"),
            "reason": get("reason"), "expires_at": get("expires_at"), "approvals": get("approvals"),
        },
        "actor": actor,
        "tool": tool(),
    });
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The event type that starts keyed lines on an unkeyed log.
pub const ADOPTED: &str = "AUDIT_KEY_ADOPTED";

/// The AUDIT_KEY_ADOPTED event: from here on the log is sealed with the key
/// `key_id` names (the line's own `key_id`).
pub fn key_adopted(actor: &str, now: jiff::Timestamp) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ts".into(), Value::String(ts(now)));
    m.insert("event_type".into(), Value::String(ADOPTED.into()));
    m.insert("command".into(), Value::String("audit adopt-key".into()));
    m.insert("actor".into(), Value::String(actor.into()));
    m.insert("tool".into(), Value::String(tool()));
    m
}

/// The AUDIT_REPAIRED event (the torn bytes' size, digest and side file
/// are added by the repair itself).
pub fn repaired(actor: &str, now: jiff::Timestamp) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ts".into(), Value::String(ts(now)));
    m.insert("event_type".into(), Value::String("AUDIT_REPAIRED".into()));
    m.insert("command".into(), Value::String("audit repair".into()));
    m.insert("actor".into(), Value::String(actor.into()));
    m.insert("tool".into(), Value::String(tool()));
    m
}
