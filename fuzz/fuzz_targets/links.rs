//! Share links, lesson links and session files: any text decodes to a
//! session or a clear error, and what decodes re-encodes to something that
//! decodes to the same session.
#![no_main]

use isc_engine::session::{LESSON_LINK_VERSION, LESSON_PREFIX, Link, Session, unpack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(link) = Link::decode(text) {
        let again = Link::decode(&link.encode()).expect("a link we made opens");
        assert_eq!(again, link);
    }
    let _ = unpack(text, LESSON_PREFIX, &[LESSON_LINK_VERSION]);
    if let Ok(session) = Session::from_json(text) {
        let again = Session::from_json(&session.to_json()).expect("a session we wrote reads");
        assert_eq!(again, session);
    }
});
