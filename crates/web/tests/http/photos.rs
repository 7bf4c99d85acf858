//! Photos and the monthly show-and-tell through the API, as partners and strangers would call
//! it: an upload comes back upright in three sizes with its place and camera gone; a pick stays
//! its owner's alone (the same 404 as nothing at all) until a show-and-tell shows it, one step
//! at a time, two taps moving one step; finishing counts in the rhythm and fills Our memories;
//! replies, refusals in words a person understands (a busy darkroom too), memories shared at
//! once, and no photo file left behind by deleting, unpairing or deleting an account.

use crate::support;

use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::{GenericImageView, ImageDecoder, Rgb, RgbImage};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use support::Api;
use tend_domain::photo::{Darkroom, Developed, MAX_UPLOAD_BYTES, Media, PREFIX, Refusal, Size};
use tend_domain::reminder::EndpointPolicy;
use tend_domain::{Ctx, ManualClock, Registration};
use tend_media::objects::{Objects, Place};
use tend_store::both_backends;
use tend_store::testing::TestDb;
use tend_web::{AppState, WebConfig};

const PASSWORD: &str = "a long enough password";
const MAKE: &str = "TendTestCameraMaker";
const MODEL: &str = "Pocket Model Z-4242";
const BOUNDARY: &str = "tend-test-boundary-5f1c9a";

/// Tend on port 0, as `support::spawn_with` builds it, keeping what these tests look behind:
/// the photo storage (to see which files exist) and the database (to read a raw column).
struct PhotoApp {
    base: String,
    media: Arc<Objects>,
    db: TestDb,
    clock: Arc<ManualClock>,
    ctx: Ctx,
}

async fn spawn(db: TestDb) -> PhotoApp {
    spawn_with(db, Arc::new(tend_media::darkroom::Lab::new(2))).await
}

/// A darkroom with no free place: what a burst of uploads makes of the real one.
struct BusyDarkroom;

#[async_trait::async_trait]
impl Darkroom for BusyDarkroom {
    async fn develop(&self, _upload: Vec<u8>) -> Result<Developed, Refusal> {
        Err(Refusal::Busy)
    }
}

async fn spawn_with(db: TestDb, darkroom: Arc<dyn Darkroom>) -> PhotoApp {
    let clock = Arc::new(ManualClock::new("2026-03-10T18:00:00Z".parse().expect("time")));
    let events = tend_store::events::for_database(&db.database, &db.config).await;
    let policy = tend_domain::Policy { registration: Registration::Open, ..Default::default() };
    let vault = db.vault.clone().expect("a migrated test database has a vault");
    let media = Arc::new(Objects::open(&Place::Memory, vault).expect("memory media"));
    let ctx = Ctx::new(db.store.clone(), clock.clone(), events, policy).with_photos(media.clone(), darkroom);
    let state = AppState::new(ctx.clone(), WebConfig::default())
        .with_courier(Arc::new(support::FakeCourier::default()), EndpointPolicy::default());
    let app = tend_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    PhotoApp { base: format!("http://{addr}"), media, db, clock, ctx }
}

impl PhotoApp {
    fn api(&self) -> Api {
        Api {
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
            base: self.base.clone(),
            token: None,
        }
    }

    /// A couple made through the API: (first partner, second partner).
    async fn couple(&self, tag: &str) -> (Api, Api) {
        let api = self.api();
        let a = api.sign_up(&format!("A {tag}"), &format!("a-{tag}@example.org"), None).await;
        let (status, invite) = a.post("/api/v1/invites", json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{invite}");
        let b = api.sign_up(&format!("B {tag}"), &format!("b-{tag}@example.org"), invite["code"].as_str()).await;
        (a, b)
    }

    /// The keys of every photo file kept.
    async fn objects(&self) -> Vec<String> {
        let mut keys: Vec<String> =
            self.media.list(PREFIX).await.expect("the storage lists").into_iter().map(|o| o.key).collect();
        keys.sort();
        keys
    }

    /// The files kept of one photo.
    async fn files_of(&self, id: &str) -> Vec<String> {
        self.objects().await.into_iter().filter(|k| k.starts_with(&format!("{PREFIX}{id}/"))).collect()
    }
}

/// An image with detail everywhere (so its JPEG is large), made the same on every run.
fn noisy(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)).wrapping_mul(2_246_822_519);
        Rgb([(n >> 24) as u8, (x % 256) as u8, (y % 256) as u8])
    })
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92).encode_image(&noisy(width, height)).expect("encode");
    out
}

/// An EXIF APP1 segment, built by hand: camera make and model, and a GPS position (52°31'N,
/// 13°24'E) in its own IFD, little-endian TIFF.
fn exif_segment(make: &str, model: &str) -> Vec<u8> {
    fn ascii(s: &str) -> Vec<u8> {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        if b.len() % 2 == 1 {
            b.push(0);
        }
        b
    }
    fn entry(t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value.to_le_bytes());
    }
    const ASCII: u16 = 2;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    let (make, model) = (ascii(make), ascii(model));
    let ifd0_len = 2 + 3 * 12 + 4;
    let make_at = 8 + ifd0_len;
    let model_at = make_at + make.len();
    let gps_at = model_at + model.len();
    let gps_len = 2 + 4 * 12 + 4;
    let lat_at = gps_at + gps_len;
    let lon_at = lat_at + 24;
    let at = |n: usize| u32::try_from(n).expect("small");
    let count = |b: &[u8]| at(s_len(b));
    fn s_len(b: &[u8]) -> usize {
        b.iter().position(|c| *c == 0).map_or(b.len(), |p| p + 1)
    }

    let mut t: Vec<u8> = b"II".to_vec();
    t.extend(42u16.to_le_bytes());
    t.extend(8u32.to_le_bytes());
    t.extend(3u16.to_le_bytes());
    entry(&mut t, 0x010f, ASCII, count(&make), at(make_at));
    entry(&mut t, 0x0110, ASCII, count(&model), at(model_at));
    entry(&mut t, 0x8825, LONG, 1, at(gps_at));
    t.extend(0u32.to_le_bytes());
    t.extend(&make);
    t.extend(&model);
    assert_eq!(t.len(), gps_at);
    t.extend(4u16.to_le_bytes());
    entry(&mut t, 0x0001, ASCII, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 0x0002, RATIONAL, 3, at(lat_at));
    entry(&mut t, 0x0003, ASCII, 2, u32::from_le_bytes(*b"E\0\0\0"));
    entry(&mut t, 0x0004, RATIONAL, 3, at(lon_at));
    t.extend(0u32.to_le_bytes());
    for (n, d) in [(52u32, 1u32), (31, 1), (1234, 100), (13, 1), (24, 1), (5678, 100)] {
        t.extend(n.to_le_bytes());
        t.extend(d.to_le_bytes());
    }
    assert_eq!(t.len(), lon_at + 24);

    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(t);
    let mut segment = vec![0xff, 0xe1];
    segment.extend(u16::try_from(payload.len() + 2).expect("fits a segment").to_be_bytes());
    segment.extend(payload);
    segment
}

/// `jpeg` with an EXIF segment after its JFIF header.
fn with_exif(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], [0xff, 0xd8]);
    let mut at = 2;
    if jpeg[2..4] == [0xff, 0xe0] {
        at += 2 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    }
    let mut out = jpeg[..at].to_vec();
    out.extend(exif_segment(MAKE, MODEL));
    out.extend(&jpeg[at..]);
    out
}

/// The markers of a JPEG's segments before its image data.
fn header_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xff {
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xda {
            break;
        }
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    markers
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A `multipart/form-data` body, built by hand: (name, file name, bytes) for each part.
fn form(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(file) => body.extend(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: image/jpeg\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn send_form(api: &Api, body: Vec<u8>) -> (StatusCode, Value) {
    let r = api
        .req(reqwest::Method::POST, "/api/v1/photos")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .expect("upload");
    answer(r).await
}

async fn upload(api: &Api, photo: &[u8], caption: &str, kind: &str) -> (StatusCode, Value) {
    send_form(
        api,
        form(&[
            ("photo", Some("photo.jpg"), photo),
            ("caption", None, caption.as_bytes()),
            ("kind", None, kind.as_bytes()),
        ]),
    )
    .await
}

/// Uploads a small photo and returns its id.
async fn pick(api: &Api, caption: &str, kind: &str) -> String {
    let (status, photo) = upload(api, &jpeg(48, 32), caption, kind).await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    photo["id"].as_str().expect("id").to_owned()
}

/// GET of a photo's bytes: (status, content type, cache control, body).
async fn bytes(api: &Api, path: &str) -> (StatusCode, String, String, Vec<u8>) {
    let r = api.req(reqwest::Method::GET, path).send().await.expect("get");
    let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let (status, content_type, cache) = (r.status(), header("content-type"), header("cache-control"));
    (status, content_type, cache, r.bytes().await.expect("body").to_vec())
}

async fn patch(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    api.call(reqwest::Method::PATCH, path, Some(body)).await
}

/// The show-and-tell's status on the rhythm's "this month".
async fn rhythm_status(api: &Api) -> String {
    let (status, week) = api.get("/api/v1/rhythm/week").await;
    assert_eq!(status, StatusCode::OK, "{week}");
    let items = week["items"].as_array().expect("items");
    let item = items.iter().find(|i| i["id"] == "show-and-tell").expect("the show-and-tell is on the rhythm");
    item["status"].as_str().expect("status").to_owned()
}

fn photo_ids_of(timeline: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    for month in timeline["months"].as_array().expect("months") {
        for memory in month["memories"].as_array().expect("memories") {
            if memory["kind"] == "photo" {
                ids.push(memory["photo"]["id"].as_str().expect("id").to_owned());
            }
        }
    }
    ids.sort();
    ids
}

async fn uploads_are_upright_in_three_sizes_and_stripped(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = app.couple("strip").await;

    let original = with_exif(&jpeg(1800, 1200));
    // The test photo really carries what must go.
    let exif = JpegDecoder::new(std::io::Cursor::new(&original)).expect("decodes").exif_metadata().expect("reads");
    let exif = exif.expect("the test photo has EXIF");
    assert!(contains(&exif, MAKE.as_bytes()) && contains(&exif, MODEL.as_bytes()));
    assert!(header_markers(&original).contains(&0xe1));
    // Far above the router's 64 KiB: the upload route has its own limit.
    assert!(original.len() > 256 * 1024, "{} bytes", original.len());

    let (status, photo) = upload(&alex, &original, "Sunrise over the lighthouse pier", "pick").await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    let id = photo["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 22);
    assert_eq!(photo["kind"], "pick");
    assert_eq!(photo["mine"], true);
    assert_eq!(photo["owner_name"], "A strip");
    assert_eq!(photo["caption"], "Sunrise over the lighthouse pier");
    assert_eq!((photo["width"].as_u64(), photo["height"].as_u64()), (Some(1800), Some(1200)));
    assert_eq!(photo["shown"], false, "a pick waits for its show-and-tell");
    assert_eq!(photo["reaction"], Value::Null);
    assert_eq!(photo["reply"], "");
    assert!(photo["created_at"].is_string());
    let (status, again) = alex.get(&format!("/api/v1/photos/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, photo, "GET answers what the upload did");

    let mut edges = Vec::new();
    for size in Size::ALL {
        let url = photo["urls"][size.as_str()].as_str().expect("url").to_owned();
        assert_eq!(url, format!("/api/v1/photos/{id}/{}", size.as_str()));
        let r = alex.req(reqwest::Method::GET, &url).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let cache = r.headers()["cache-control"].to_str().expect("ascii").to_owned();
        assert!(cache.contains("private") && cache.contains("immutable"), "{cache}");
        let body = r.bytes().await.expect("body").to_vec();
        assert_eq!(&body[..2], [0xff, 0xd8], "{url} is a JPEG");
        assert!(!header_markers(&body).contains(&0xe1), "{url} has no APP1 segment");
        assert!(!contains(&body, b"Exif"), "{url} has no EXIF");
        assert!(!contains(&body, MAKE.as_bytes()) && !contains(&body, MODEL.as_bytes()), "{url} names no camera");
        let decoded = image::load_from_memory_with_format(&body, image::ImageFormat::Jpeg).expect("decodes");
        let (w, h) = decoded.dimensions();
        assert!(w.max(h) <= size.max_edge(), "{url}: {w}×{h}");
        edges.push(w.max(h));
    }
    assert_eq!(edges, [400, 1600, 1800], "thumb and screen are shrunk, full keeps the photo's own size");

    // Every other route keeps the 64 KiB limit.
    let (status, problem) =
        patch(&alex, &format!("/api/v1/photos/{id}"), json!({"caption": "x".repeat(100 * 1024)})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    // Captions are kept, changed, and refused past 300 characters.
    let (status, changed) =
        patch(&alex, &format!("/api/v1/photos/{id}"), json!({"caption": "Lighthouse at dawn"})).await;
    assert_eq!((status, changed["caption"].as_str()), (StatusCode::OK, Some("Lighthouse at dawn")), "{changed}");
    let (status, problem) = patch(&alex, &format!("/api/v1/photos/{id}"), json!({"caption": "y".repeat(301)})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "caption");
    for bad in ["{\"caption\":", "[]", "{}", "{\"caption\": 3}"] {
        let r = alex
            .req(reqwest::Method::PATCH, &format!("/api/v1/photos/{id}"))
            .header("content-type", "application/json")
            .body(bad)
            .send()
            .await
            .expect("patch");
        assert!(matches!(r.status().as_u16(), 400 | 422), "{bad}: {}", r.status());
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{bad}");
    }

    // The caption is sealed at rest: the column does not hold its words.
    assert_eq!(app.db.scalar("select count(*) from photos where caption <> ''").await, 1, "a caption is stored");
    assert_eq!(app.db.scalar("select count(*) from photos where caption like '%ighthouse%'").await, 0);
    assert_eq!(app.db.scalar("select count(*) from photos where caption like '%dawn%'").await, 0);
    assert_eq!(app.files_of(&id).await.len(), 3, "three sizes are kept");
}

async fn a_pick_stays_private_until_its_show_and_tell(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = app.couple("show").await;
    let first = pick(&alex, "The red kayak on the lake", "pick").await;
    let second = pick(&alex, "Grandma's garden in bloom", "").await;
    let sams = pick(&sam, "A cat asleep in the violin case", "pick").await;

    // Before the show-and-tell, Sam gets exactly what a photo that does not exist gets.
    let (_, nothing) = sam.get("/api/v1/photos/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(nothing["status"], 404);
    for path in [
        format!("/api/v1/photos/{first}"),
        format!("/api/v1/photos/{first}/thumb"),
        format!("/api/v1/photos/{first}/full"),
        format!("/api/v1/photos/{second}/screen"),
        format!("/api/v1/photos/{first}/huge"),
        "/api/v1/photos/not-an-id/thumb".to_owned(),
        "/api/v1/photos/AAAAAAAAAAAAAAAAAAAAAA/thumb".to_owned(),
    ] {
        let r = sam.req(reqwest::Method::GET, &path).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
        assert_eq!(r.json::<Value>().await.expect("problem"), nothing, "{path}: the same 404 in every case");
    }
    let (status, _) = alex.get(&format!("/api/v1/photos/{first}/huge")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unknown size");
    let (status, problem) = sam.post(&format!("/api/v1/photos/{first}/reply"), json!({"reaction": "love"})).await;
    assert_eq!((status, &problem), (StatusCode::NOT_FOUND, &nothing), "nor can Sam answer it");
    let (status, problem) = sam.delete(&format!("/api/v1/photos/{first}")).await;
    assert_eq!((status, &problem), (StatusCode::NOT_FOUND, &nothing), "nor delete it");

    // The hub tells Sam how many, never which.
    let (status, hub) = sam.get("/api/v1/show-and-tell").await;
    assert_eq!(status, StatusCode::OK, "{hub}");
    assert_eq!(hub["partner_picks"], 2);
    assert_eq!(hub["max_picks"], 5);
    assert_eq!(hub["my_picks"].as_array().map(Vec::len), Some(1));
    assert_eq!(hub["my_picks"][0]["id"], sams.as_str());
    assert_eq!(hub["open"], Value::Null);
    assert_eq!(hub["can_start"], true);
    let text = hub.to_string();
    assert!(!text.contains(&first) && !text.contains(&second) && !text.contains("kayak"), "{text}");
    let (_, memories) = sam.get("/api/v1/memories").await;
    assert_eq!(memories["count"], 0, "nothing is kept before it is shown: {memories}");
    assert_eq!(rhythm_status(&alex).await, "not-yet");

    // Alex starts, telling first; a tap on Sam's phone a moment later joins the same one.
    let (status, live) = alex.post("/api/v1/show-and-tell", json!({"first": "me"})).await;
    assert_eq!(status, StatusCode::CREATED, "{live}");
    let show = live["id"].as_i64().expect("id");
    assert_eq!((live["step"].as_i64(), live["total"].as_i64()), (Some(0), Some(3)));
    assert_eq!(live["current"]["id"], first.as_str());
    assert_eq!(live["teller_is_me"], true);
    assert_eq!(live["prompt"], Value::Null, "the teller gets no prompt");
    assert_eq!((live["teller_index"].as_u64(), live["teller_count"].as_u64()), (Some(1), Some(2)));
    let (status, joined) = sam.post("/api/v1/show-and-tell", json!({"first": "me"})).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["id"], show, "one show-and-tell, not two");
    assert_eq!(joined["teller_is_me"], false);
    assert_eq!(joined["teller_name"], "A show");
    assert_eq!(joined["listener_name"], "B show");
    assert!(joined["prompt"]["text"].as_str().is_some_and(|t| !t.is_empty()), "the listener gets a prompt");

    // Sam sees the photo on screen now, and still not the next one.
    let (status, content_type, _, body) = bytes(&sam, &format!("/api/v1/photos/{first}/screen")).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "image/jpeg"));
    assert_eq!(&body[..2], [0xff, 0xd8]);
    let (status, shown) = sam.get(&format!("/api/v1/photos/{first}")).await;
    assert_eq!((status, shown["mine"].as_bool(), shown["shown"].as_bool()), (StatusCode::OK, Some(false), Some(true)));
    let (status, problem) = sam.get(&format!("/api/v1/photos/{second}/thumb")).await;
    assert_eq!((status, &problem), (StatusCode::NOT_FOUND, &nothing), "the second waits for its step");
    let (status, _) = sam.get(&format!("/api/v1/photos/{second}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Both phones tap "Next" at once from step 0: one step. A late tap changes nothing.
    let next = format!("/api/v1/show-and-tell/{show}/next");
    let (one, two) = tokio::join!(alex.post(&next, json!({"from": 0})), sam.post(&next, json!({"from": 0})));
    assert_eq!((one.0, two.0), (StatusCode::OK, StatusCode::OK), "{} {}", one.1, two.1);
    let (_, now) = alex.get(&format!("/api/v1/show-and-tell/{show}")).await;
    assert_eq!(now["step"], 1, "two taps, one step: {now}");
    assert_eq!(now["current"]["id"], second.as_str());
    assert_eq!(now["next_swaps"], true, "Sam's photo is next");
    let (status, late) = sam.post(&next, json!({"from": 0})).await;
    assert_eq!((status, late["step"].as_i64()), (StatusCode::OK, Some(1)), "{late}");
    let (status, _) = sam.get(&format!("/api/v1/photos/{second}/thumb")).await;
    assert_eq!(status, StatusCode::OK, "the second is on screen now");
    assert_eq!(rhythm_status(&alex).await, "not-yet", "not finished yet");
    for bad in [json!({}), json!({"from": "one"}), json!({"from": -1}), json!({"from": 1.5}), json!([])] {
        let (status, problem) = sam.post(&next, bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {problem}");
    }
    let (status, _) = sam.post("/api/v1/show-and-tell/999999/next", json!({"from": 1})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Sam tells the last one; then it is finished, on both phones.
    let (_, third) = sam.post(&next, json!({"from": 1})).await;
    assert_eq!((third["step"].as_i64(), third["teller_is_me"].as_bool()), (Some(2), Some(true)), "{third}");
    assert_eq!(third["current"]["id"], sams.as_str());
    let (status, done) = alex.post(&next, json!({"from": 2})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!((done["step"].as_i64(), done["finished"].as_bool()), (Some(3), Some(true)), "{done}");
    assert_eq!(done["current"], Value::Null);
    assert_eq!(done["shown"].as_array().map(Vec::len), Some(3));
    let (_, after) = sam.post(&next, json!({"from": 2})).await;
    assert_eq!(after["step"], 3, "finishing twice changes nothing");

    // Finishing counts in the rhythm, for both, and the photos are memories now.
    assert_eq!(rhythm_status(&alex).await, "done");
    assert_eq!(rhythm_status(&sam).await, "done");
    let (status, hub) = alex.get("/api/v1/show-and-tell").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((hub["open"].clone(), hub["past"][0]["photos"].as_i64()), (Value::Null, Some(3)), "{hub}");
    assert_eq!(hub["my_picks"], json!([]));
    let (status, memories) = sam.get("/api/v1/memories").await;
    assert_eq!(status, StatusCode::OK, "{memories}");
    assert_eq!(memories["count"], 3);
    let mut all = vec![first.clone(), second.clone(), sams.clone()];
    all.sort();
    assert_eq!(photo_ids_of(&memories), all);
    assert_eq!(memories["months"][0]["key"], "2026-03");
    assert_eq!(memories["months"][0]["label"], "March 2026");
    let (_, found) = sam.get("/api/v1/memories?q=KAYAK").await;
    assert_eq!((found["count"].as_u64(), found["query"].as_str()), (Some(1), Some("KAYAK")), "{found}");
    assert_eq!(photo_ids_of(&found), vec![first.clone()]);
    let (_, none) = sam.get("/api/v1/memories?q=submarine").await;
    assert_eq!((none["count"].as_u64(), none["months"].clone()), (Some(0), json!([])), "{none}");
    let (status, _) = sam.get(&format!("/api/v1/memories?q={}", "q".repeat(101))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a search over 100 characters");

    // Nothing is left to start with.
    let (status, problem) = alex.post("/api/v1/show-and-tell", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (status, _) = alex.post("/api/v1/show-and-tell", json!({"first": "everyone"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = alex.get("/api/v1/show-and-tell/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_listener_answers_and_the_teller_sees_it(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = app.couple("reply").await;
    let id = pick(&alex, "Our first apartment", "pick").await;
    let reply = format!("/api/v1/photos/{id}/reply");

    let (status, live) = sam.post("/api/v1/show-and-tell", json!({"first": "partner"})).await;
    assert_eq!(status, StatusCode::CREATED, "{live}");
    assert_eq!(live["teller_is_me"], false, "Alex tells");
    assert_eq!(live["current"]["id"], id.as_str());

    let (status, reactions) = app.api().get("/api/v1/show-and-tell/reactions").await;
    assert_eq!(status, StatusCode::OK);
    let love = reactions.as_array().expect("list").iter().find(|r| r["id"] == "love").expect("love").clone();
    assert!(love["emoji"].is_string() && love["label"].is_string(), "{love}");

    let (status, problem) = sam.post(&reply, json!({"reaction": "shrug"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "reaction");
    let (status, problem) = sam.post(&reply, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "neither a reaction nor words: {problem}");
    let (status, problem) = sam.post(&reply, json!({"words": "w".repeat(301)})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, problem) = alex.post(&reply, json!({"reaction": "love"})).await;
    assert!(status.is_client_error(), "the owner cannot answer their own photo: {status} {problem}");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("your own photo")), "{problem}");

    let (status, answered) =
        sam.post(&reply, json!({"reaction": "love", "words": "I still miss that tiny kitchen"})).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    let (status, seen) = alex.get(&format!("/api/v1/photos/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["reaction"], love, "the teller sees the reaction");
    assert_eq!(seen["reply"], "I still miss that tiny kitchen");
    assert!(seen["replied_at"].is_string());
    // Answering again replaces the answer.
    let (status, again) = sam.post(&reply, json!({"reaction": null, "words": "Tell me about the neighbours"})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let (_, seen) = alex.get(&format!("/api/v1/photos/{id}")).await;
    assert_eq!(seen["reply"], "Tell me about the neighbours");
    // The reply is sealed at rest too.
    assert_eq!(app.db.scalar("select count(*) from photos where reply like '%neighbours%'").await, 0);
    assert_eq!(app.db.scalar("select count(*) from photos where reply <> ''").await, 1);
}

async fn strangers_get_nothing(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = app.couple("home").await;
    let (eve, _mallory) = app.couple("away").await;
    let memory = pick(&alex, "Beach day", "memory").await;
    let waiting = pick(&alex, "Surprise for Sam", "pick").await;
    let (_, nothing) = eve.get("/api/v1/photos/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(nothing["status"], 404);

    for id in [&memory, &waiting] {
        for path in [
            format!("/api/v1/photos/{id}"),
            format!("/api/v1/photos/{id}/thumb"),
            format!("/api/v1/photos/{id}/screen"),
            format!("/api/v1/photos/{id}/full"),
        ] {
            let (status, problem) = eve.get(&path).await;
            assert_eq!((status, &problem), (StatusCode::NOT_FOUND, &nothing), "{path}");
        }
        let (status, problem) = eve.delete(&format!("/api/v1/photos/{id}")).await;
        assert_eq!((status, &problem), (StatusCode::NOT_FOUND, &nothing), "delete");
        let (status, problem) =
            eve.post(&format!("/api/v1/photos/{id}/reply"), json!({"reaction": "love", "words": "hi"})).await;
        assert_eq!((status, &problem), (StatusCode::NOT_FOUND, &nothing), "reply");
        let (status, problem) = patch(&eve, &format!("/api/v1/photos/{id}"), json!({"caption": "mine now"})).await;
        assert_eq!((status, &problem), (StatusCode::NOT_FOUND, &nothing), "caption");
    }
    let (_, hub) = eve.get("/api/v1/show-and-tell").await;
    assert_eq!(hub["partner_picks"], 0, "{hub}");
    let (_, memories) = eve.get("/api/v1/memories").await;
    assert_eq!(memories["count"], 0, "{memories}");

    // Without a token, nothing at all.
    let (status, _) = app.api().get(&format!("/api/v1/photos/{memory}/thumb")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Nothing of Alex's changed; Sam (not the owner) cannot delete or caption it either.
    let (status, kept) = alex.get(&format!("/api/v1/photos/{memory}")).await;
    assert_eq!(
        (status, kept["caption"].as_str(), kept["reply"].as_str()),
        (StatusCode::OK, Some("Beach day"), Some(""))
    );
    let (status, _) = sam.delete(&format!("/api/v1/photos/{memory}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = patch(&sam, &format!("/api/v1/photos/{memory}"), json!({"caption": "Sam's now"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.files_of(&memory).await.len(), 3);
    assert_eq!(app.files_of(&waiting).await.len(), 3);
}

async fn refusals_say_what_to_do(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = app.couple("refuse").await;

    // Not a photo, whatever its name says.
    let (status, problem) = send_form(&alex, form(&[("photo", Some("notes.jpg"), b"Remember to buy milk.\n")])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "photo");
    assert!(problem["errors"][0]["message"].as_str().is_some_and(|m| m.contains("JPEG, PNG and WebP")), "{problem}");

    // An iPhone HEIC: advice, not just "no".
    let mut heic = vec![0, 0, 0, 0x18];
    heic.extend(b"ftypheic\0\0\0\0mif1heic");
    heic.extend(vec![7u8; 4096]);
    let (status, problem) = send_form(&alex, form(&[("photo", Some("IMG_0001.HEIC"), &heic)])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "photo");
    assert!(problem["errors"][0]["message"].as_str().is_some_and(|m| m.contains("HEIC")), "{problem}");

    // No photo at all, an empty one, an unknown kind, a caption too long.
    for parts in [vec![("caption", None, b"just words".as_slice())], vec![("photo", Some("empty.jpg"), b"".as_slice())]]
    {
        let (status, problem) = send_form(&alex, form(&parts)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "photo", "{problem}");
    }
    let small = jpeg(48, 32);
    let (status, problem) = upload(&alex, &small, "", "poster").await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
    let (status, problem) = upload(&alex, &small, &"c".repeat(301), "pick").await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("caption")));
    let (status, problem) = upload(&alex, &small, &"c".repeat(20_000), "pick").await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("caption")));

    // Not a form: 415 or 400, as problem documents.
    let (status, problem) = alex.post("/api/v1/photos", json!({"photo": "abc"})).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{problem}");
    let r = alex
        .req(reqwest::Method::POST, "/api/v1/photos")
        .header("content-type", "multipart/form-data")
        .body("no boundary")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = alex
        .req(reqwest::Method::POST, "/api/v1/photos")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"\r\n\r\nunfinished"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "a form cut off half-way");

    // Over 20 MB: 413 in words, as soon as the limit is passed.
    let mut huge = small.clone();
    huge.resize(MAX_UPLOAD_BYTES + 1, 0);
    let (status, problem) = upload(&alex, &huge, "", "pick").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("20 MB")), "{problem}");
    // Far over it, past the route's own limit too.
    huge.resize(MAX_UPLOAD_BYTES + 3 * 1024 * 1024, 0);
    let (status, problem) = upload(&alex, &huge, "", "pick").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("20 MB")), "{problem}");
    // A form past the route's own limit in a field Tend does not read: 413 still, never a 500.
    let junk = vec![b'j'; MAX_UPLOAD_BYTES + 2 * 1024 * 1024];
    let (status, problem) = send_form(&alex, form(&[("junk", None, &junk), ("photo", Some("a.jpg"), &small)])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert_eq!(problem["status"], 413);

    assert_eq!(app.objects().await, Vec::<String>::new(), "nothing refused was kept");

    // Five picks wait at most; a sixth is refused in words, a memory is still welcome.
    for n in 1..=5 {
        pick(&alex, &format!("pick {n}"), "pick").await;
    }
    let (status, problem) = upload(&alex, &small, "pick 6", "pick").await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.contains("5 photos") && d.contains("Remove one")),
        "{problem}"
    );
    let (_, hub) = alex.get("/api/v1/show-and-tell").await;
    assert_eq!((hub["my_picks"].as_array().map(Vec::len), hub["can_pick"].as_bool()), (Some(5), Some(false)));
    pick(&alex, "a memory", "memory").await;
    assert_eq!(app.objects().await.len(), 6 * 3, "the sixth pick left no file behind");
}

async fn a_memory_is_shared_at_once(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = app.couple("memory").await;
    let id = pick(&alex, "Picnic under the old oak", "memory").await;

    let (status, photo) = sam.get(&format!("/api/v1/photos/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{photo}");
    assert_eq!(
        (photo["kind"].as_str(), photo["shown"].as_bool(), photo["mine"].as_bool()),
        (Some("memory"), Some(true), Some(false))
    );
    assert_eq!(photo["owner_name"], "A memory");
    let (status, content_type, cache, body) = bytes(&sam, &format!("/api/v1/photos/{id}/thumb")).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "image/jpeg"));
    assert!(cache.contains("private"), "{cache}");
    assert_eq!(&body[..2], [0xff, 0xd8]);
    let (_, hub) = sam.get("/api/v1/show-and-tell").await;
    assert_eq!(hub["partner_picks"], 0, "a memory is no pick: {hub}");
    let (_, memories) = sam.get("/api/v1/memories?q=oak").await;
    assert_eq!(photo_ids_of(&memories), vec![id.clone()]);
    assert_eq!(memories["months"][0]["memories"][0]["kind"], "photo");
    // The partner may answer it straight away.
    let (status, answered) = sam.post(&format!("/api/v1/photos/{id}/reply"), json!({"reaction": "wow"})).await;
    assert_eq!((status, answered["reaction"]["id"].as_str()), (StatusCode::OK, Some("wow")), "{answered}");
}

async fn no_photo_file_outlives_its_photo(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = app.couple("gone").await;
    let picked = pick(&alex, "Deleted soon", "pick").await;
    let memory = pick(&alex, "Ours", "memory").await;
    let sams = pick(&sam, "Sam's pick", "pick").await;
    assert_eq!(app.objects().await.len(), 9);

    // Deleting a photo deletes its files.
    let (status, _) = alex.delete(&format!("/api/v1/photos/{picked}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.files_of(&picked).await, Vec::<String>::new());
    let (status, _) = alex.get(&format!("/api/v1/photos/{picked}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = alex.get(&format!("/api/v1/photos/{picked}/full")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = alex.delete(&format!("/api/v1/photos/{picked}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "deleting twice");
    assert_eq!(app.objects().await.len(), 6);

    // A second couple keeps its photos through all of this.
    let (kim, lee) = app.couple("other").await;
    let kims = pick(&kim, "Kim's", "pick").await;
    let lees = pick(&lee, "Lee's", "memory").await;

    // Unpairing ends the couple's photos, both partners', files and all.
    let (status, done) = alex.delete("/api/v1/couple").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(app.files_of(&memory).await, Vec::<String>::new());
    assert_eq!(app.files_of(&sams).await, Vec::<String>::new());
    assert_eq!(app.db.scalar(&format!("select count(*) from photos where id in ('{memory}', '{sams}')")).await, 0);

    // Deleting an account ends its couple's photos too.
    assert_eq!(app.objects().await.len(), 6, "the other couple's files stay");
    let (status, done) =
        kim.call(reqwest::Method::DELETE, "/api/v1/account", Some(json!({"password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(app.files_of(&kims).await, Vec::<String>::new());
    assert_eq!(app.files_of(&lees).await, Vec::<String>::new());
    assert_eq!(app.objects().await, Vec::<String>::new(), "no file is left of anyone");
    assert_eq!(app.db.scalar("select count(*) from photos").await, 0);
}

async fn a_busy_darkroom_says_when_to_try_again(db: TestDb) {
    let app = spawn_with(db, Arc::new(BusyDarkroom)).await;
    let (alex, _sam) = app.couple("busy").await;
    let r = alex
        .req(reqwest::Method::POST, "/api/v1/photos")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(form(&[("photo", Some("a.jpg"), &jpeg(48, 32))]))
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let wait = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    assert!(wait.is_some_and(|secs| secs > 0), "Retry-After says when: {wait:?}");
    let problem: Value = r.json().await.expect("problem");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("try again")), "{problem}");
    assert_eq!(app.objects().await, Vec::<String>::new(), "nothing was kept");
    let (_, hub) = alex.get("/api/v1/show-and-tell").await;
    assert_eq!(hub["my_picks"], json!([]));
}

/// An upload cut off after its files were written but before its row (a crash, a full disk):
/// the hourly housekeeping removes such files once they are an hour old, never younger ones
/// (an upload may be writing its row right now), and never a photo's own.
async fn files_a_crash_left_behind_are_swept(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = app.couple("sweep").await;
    let kept = pick(&alex, "Kept", "memory").await;
    let owner = tend_domain::UserId(app.db.scalar("select id from users where email = 'a-sweep@example.org'").await);
    let stray = "photos/AAAAAAAAAAAAAAAAAAAAAA/full.jpg";
    app.media.put(owner, stray, b"half an upload".to_vec()).await.expect("put");
    app.media.put(owner, "photos/not-a-photo-id/full.jpg", b"odd".to_vec()).await.expect("put");
    assert_eq!(app.objects().await.len(), 5);

    app.clock.set(jiff::Timestamp::now());
    let young = tend_domain::housekeeping::prune(&app.ctx).await.expect("housekeeping");
    assert_eq!(young.orphans, 0, "files younger than an hour may be an upload under way");
    app.clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(2));
    let old = tend_domain::housekeeping::prune(&app.ctx).await.expect("housekeeping");
    assert_eq!(old.orphans, 2);
    assert_eq!(app.objects().await, app.files_of(&kept).await, "only the kept photo's files remain");
    assert_eq!(app.files_of(&kept).await.len(), 3);
}

/// Our memories shows six months at a time, newest first, and says where the older ones start.
async fn memories_come_six_months_at_a_time(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = app.couple("pages").await;
    let march = pick(&alex, "Snow in March", "memory").await;
    app.clock.set("2026-10-15T18:00:00Z".parse().expect("time"));
    let october = pick(&alex, "Leaves in October", "memory").await;

    let (status, page) = alex.get("/api/v1/memories").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(photo_ids_of(&page), [october]);
    assert_eq!(page["earlier"], json!("2026-05"), "{page}");
    let (_, older) = alex.get("/api/v1/memories?before=2026-05").await;
    assert_eq!(photo_ids_of(&older), std::slice::from_ref(&march));
    assert_eq!(older["earlier"], json!(null), "nothing before the couple began");
    let (_, found) = alex.get("/api/v1/memories?q=snow").await;
    assert_eq!(photo_ids_of(&found), [march], "a search looks through every month");
    let (status, problem) = alex.get("/api/v1/memories?before=2026-13").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
}

both_backends!(
    memories_come_six_months_at_a_time,
    files_a_crash_left_behind_are_swept,
    a_busy_darkroom_says_when_to_try_again,
    uploads_are_upright_in_three_sizes_and_stripped,
    a_pick_stays_private_until_its_show_and_tell,
    the_listener_answers_and_the_teller_sees_it,
    strangers_get_nothing,
    refusals_say_what_to_do,
    a_memory_is_shared_at_once,
    no_photo_file_outlives_its_photo,
);
