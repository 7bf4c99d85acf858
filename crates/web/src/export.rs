//! The export download: one ZIP holding `data.json` (schema in `docs/export.md`) and a small
//! HTML archive that opens offline, without any script.
//!
//! The archive is written entry by entry while it is sent: `data.json` is streamed a section
//! (a year of check-ins, a year of appreciations, …) at a time, each HTML page is one section,
//! and each photo is its own entry (`photos/<id>.jpg`, stored as it is), read one at a time, so
//! memory stays bounded whatever the size of the couple's history. What goes in comes only
//! from `tend_domain::export`, which reads through the same use cases as the pages, and a
//! photo's bytes only from `photo::bytes`, which answers only for a photo the person may see.
//!
//! Exports are costly, so only [`AT_ONCE`] run at a time on a node; one more is refused with
//! a clear message (never queued into a half-written file). Two at once, even for the same
//! person, are independent and both complete.

use askama::Template;
use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipDateTimeBuilder, ZipEntryBuilder};
use futures_util::StreamExt;
use futures_util::io::AsyncWriteExt;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::sync::Arc;
use tend_domain::export::{
    self, AppreciationRecord, CheckInDay, ConversationRecord, EveningRecord, ListeningRecord, PastWords, PhotoRecord,
    Plan, QuestionRecord, Together,
};
use tend_domain::photo::{self, Size};
use tend_domain::store::User;
use tend_domain::time::TimeZoneName;
use tend_domain::{Ctx, Error, Result};
use tokio::io::AsyncWrite;
use tokio::sync::Semaphore;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

/// Photo records are written into `data.json` this many at a time.
const PAGE: usize = 500;

/// How many exports one node prepares at the same time.
pub const AT_ONCE: usize = 4;
pub const CONTENT_TYPE: &str = "application/zip";
pub const BUSY: &str =
    "Tend is preparing several downloads right now. Nothing is wrong with yours: please try again in a minute.";

/// Why an export could not start.
#[derive(Debug)]
pub enum Refused {
    /// [`AT_ONCE`] exports are running.
    Busy,
    Domain(Error),
}

impl From<Error> for Refused {
    fn from(e: Error) -> Self {
        Refused::Domain(e)
    }
}

/// A download under way: its file name and the body that writes it as it is sent.
pub struct Download {
    pub file_name: String,
    pub body: axum::body::Body,
}

/// Reads what the export covers now (so a problem is an ordinary error response), then writes
/// the archive into the response body as the client reads it.
pub async fn start(ctx: &Ctx, me: &User, places: &Arc<Semaphore>) -> std::result::Result<Download, Refused> {
    let permit = places.clone().try_acquire_owned().map_err(|_| Refused::Busy)?;
    let plan = export::plan(ctx, me).await?;
    let file_name = export::file_name(&plan);
    // A small pipe: the writer waits while the client is slow, so nothing piles up.
    let (reader, writer) = tokio::io::duplex(64 * 1024);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<std::result::Result<(), String>>();
    let ctx = ctx.clone();
    // The permit is owned by the task: the place is given back when the archive is written.
    tokio::spawn(async move {
        let _permit = permit;
        let outcome = write_zip(&ctx, &plan, writer).await.map(drop).map_err(|e| e.to_string());
        if let Err(e) = &outcome {
            tracing::warn!(error = %e, "an export stopped before it was complete");
        }
        let _ = done_tx.send(outcome);
    });
    // After the last byte, say whether the archive was complete: a failure ends the response
    // with an error, so the client sees a failed download instead of a cut-off file.
    let tail = futures_util::stream::once(done_rx).filter_map(|done| async move {
        match done {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(Err(std::io::Error::other(e))),
            Err(_) => Some(Err(std::io::Error::other("the export stopped"))),
        }
    });
    let stream = tokio_util::io::ReaderStream::new(reader).chain(tail);
    Ok(Download { file_name, body: axum::body::Body::from_stream(stream) })
}

/// `attachment; filename="tend-export-2026-12-01.zip"`.
pub fn disposition(file_name: &str) -> String {
    format!("attachment; filename=\"{file_name}\"")
}

type Zip<W> = ZipFileWriter<Compat<W>>;

fn zip_error(e: async_zip::error::ZipError) -> Error {
    Error::Internal(format!("writing the archive: {e}"))
}

fn io_error(e: std::io::Error) -> Error {
    Error::Internal(format!("writing the archive: {e}"))
}

fn entry(name: &str, at: Timestamp) -> ZipEntryBuilder {
    entry_as(name, at, Compression::Deflate)
}

fn entry_as(name: &str, at: Timestamp, compression: Compression) -> ZipEntryBuilder {
    let utc = at.to_zoned(jiff::tz::TimeZone::UTC);
    let date = ZipDateTimeBuilder::new()
        .year(i32::from(utc.year()).clamp(1980, 2107))
        .month(u32::try_from(utc.month()).unwrap_or(1))
        .day(u32::try_from(utc.day()).unwrap_or(1))
        .hour(u32::try_from(utc.hour()).unwrap_or(0))
        .minute(u32::try_from(utc.minute()).unwrap_or(0))
        .second(u32::try_from(utc.second()).unwrap_or(0))
        .build();
    ZipEntryBuilder::new(name.to_owned().into(), compression).last_modification_date(date).unix_permissions(0o644)
}

/// Writes the whole archive for `plan` into `out` and returns it (flush or sync it after).
pub async fn write_zip<W: AsyncWrite + Unpin + Send>(ctx: &Ctx, plan: &Plan, out: W) -> Result<W> {
    let mut zip = ZipFileWriter::new(out.compat_write());
    // The photos first: `data.json` and the pages then list exactly the photos written, even
    // when one is deleted while the export is under way.
    let photos = write_photos(&mut zip, ctx, plan, export::photos(ctx, plan).await?).await?;
    write_data(&mut zip, ctx, plan, &photos).await?;
    write_archive(&mut zip, ctx, plan, photos).await?;
    let out = zip.close().await.map_err(zip_error)?.into_inner();
    Ok(out)
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Internal(format!("writing data.json: {e}")))
}

/// Appends `items` to an open JSON array, with commas between items.
fn push_items<T: Serialize>(buf: &mut Vec<u8>, first: &mut bool, items: &[T]) -> Result<()> {
    for item in items {
        if !*first {
            buf.push(b',');
        }
        *first = false;
        buf.extend(json(item)?);
    }
    Ok(())
}

/// Each photo's full-size JPEG as its own entry, `photos/<id>.jpg`, stored as it is (a JPEG
/// does not compress), one photo in memory at a time. Returns the photos written: one deleted
/// since it was listed is left out.
async fn write_photos<W: AsyncWrite + Unpin + Send>(
    zip: &mut Zip<W>,
    ctx: &Ctx,
    plan: &Plan,
    photos: Vec<PhotoRecord>,
) -> Result<Vec<PhotoRecord>> {
    let mut written = Vec::with_capacity(photos.len());
    for p in photos {
        let jpeg = match photo::bytes(ctx, &plan.me, &p.id, Size::Full).await {
            Ok(jpeg) => jpeg,
            Err(Error::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let entry = entry_as(&p.file, p.created_at, Compression::Stored);
        zip.write_entry_whole(entry, &jpeg).await.map_err(zip_error)?;
        written.push(p);
    }
    Ok(written)
}

/// `data.json`, written section by section into one streamed entry.
async fn write_data<W: AsyncWrite + Unpin + Send>(
    zip: &mut Zip<W>,
    ctx: &Ctx,
    plan: &Plan,
    photos: &[PhotoRecord],
) -> Result<()> {
    let mut w = zip.write_entry_stream(entry("data.json", plan.exported_at)).await.map_err(zip_error)?;
    let mut head = json(&export::header(plan))?;
    head.pop(); // the header's closing brace: the sections follow inside the same object
    w.write_all(&head).await.map_err(io_error)?;

    let mut first = true;
    w.write_all(b",\"check_ins\":[").await.map_err(io_error)?;
    for &year in &plan.years {
        let mut buf = Vec::new();
        push_items(&mut buf, &mut first, &export::check_ins(ctx, plan, year).await?)?;
        w.write_all(&buf).await.map_err(io_error)?;
    }
    let mut first = true;
    w.write_all(b"],\"appreciations\":[").await.map_err(io_error)?;
    for &year in &plan.years {
        let mut buf = Vec::new();
        push_items(&mut buf, &mut first, &export::appreciations(ctx, plan, year).await?)?;
        w.write_all(&buf).await.map_err(io_error)?;
    }
    let mut buf = b"],\"questions\":".to_vec();
    buf.extend(json(&export::questions(ctx, plan).await?)?);
    w.write_all(&buf).await.map_err(io_error)?;
    let mut buf = b",\"conversations\":".to_vec();
    buf.extend(json(&export::conversations(ctx, plan).await?)?);
    buf.extend(b",\"listening\":");
    buf.extend(json(&export::listenings(ctx, plan).await?)?);
    buf.extend(b",\"tech_free_evenings\":");
    buf.extend(json(&export::evenings(ctx, plan).await?)?);
    buf.extend(b",\"together\":");
    buf.extend(json(&export::together(ctx, plan).await?)?);
    buf.extend(b",\"intimacy_maps\":");
    buf.extend(json(&export::intimacy_maps(ctx, plan).await?)?);
    buf.extend(b",\"state_of_us\":");
    buf.extend(json(&export::states_of_us(ctx, plan).await?)?);
    buf.extend(b",\"play\":");
    buf.extend(json(&export::play(ctx, plan).await?)?);
    buf.extend(b",\"goals\":");
    buf.extend(json(&export::goals(ctx, plan).await?)?);
    w.write_all(&buf).await.map_err(io_error)?;
    let mut first = true;
    w.write_all(b",\"photos\":[").await.map_err(io_error)?;
    for chunk in photos.chunks(PAGE) {
        let mut buf = Vec::new();
        push_items(&mut buf, &mut first, chunk)?;
        w.write_all(&buf).await.map_err(io_error)?;
    }
    w.write_all(b"]").await.map_err(io_error)?;
    let mut first = true;
    w.write_all(b",\"past_couples\":[").await.map_err(io_error)?;
    for past in &plan.past {
        let mut buf = Vec::new();
        push_items(&mut buf, &mut first, &[export::words_of(ctx, plan.me.id, past).await?])?;
        w.write_all(&buf).await.map_err(io_error)?;
    }
    w.write_all(b"]}\n").await.map_err(io_error)?;
    w.close().await.map_err(zip_error)
}

async fn page<W: AsyncWrite + Unpin + Send, T: Template>(
    zip: &mut Zip<W>,
    at: Timestamp,
    name: &str,
    page: &T,
) -> Result<()> {
    let html = page.render().map_err(|e| Error::Internal(format!("rendering {name}: {e}")))?;
    zip.write_entry_whole(entry(name, at), html.as_bytes()).await.map_err(zip_error)
}

/// The readable archive: an index and a page per section.
async fn write_archive<W: AsyncWrite + Unpin + Send>(
    zip: &mut Zip<W>,
    ctx: &Ctx,
    plan: &Plan,
    photos: Vec<PhotoRecord>,
) -> Result<()> {
    let at = plan.exported_at;
    let head = Head::of(plan);
    let partner = plan.us.as_ref().map(|us| us.partner.display_name.clone()).unwrap_or_default();
    let index = IndexPage {
        head: head.clone(),
        since: plan.us.as_ref().map(|us| head.fmt.date(us.since)),
        partner: partner.clone(),
        years: plan.years.clone(),
        past: plan
            .past
            .iter()
            .map(|c| (head.fmt.date(c.since), c.ended.map(|e| head.fmt.date(e)).unwrap_or_default()))
            .collect(),
    };
    page(zip, at, "index.html", &index).await?;
    for &year in &plan.years {
        let days = export::check_ins(ctx, plan, year).await?;
        let p = CheckInsPage { head: head.clone(), year, partner: partner.clone(), days };
        page(zip, at, &format!("check-ins-{year}.html"), &p).await?;
        let items = export::appreciations(ctx, plan, year).await?;
        let p = AppreciationsPage { head: head.clone(), year, partner: partner.clone(), items };
        page(zip, at, &format!("appreciations-{year}.html"), &p).await?;
    }
    if plan.us.is_some() {
        let items = export::questions(ctx, plan).await?;
        page(zip, at, "questions.html", &QuestionsPage { head: head.clone(), partner: partner.clone(), items }).await?;
        let p = PracticesPage {
            head: head.clone(),
            partner: partner.clone(),
            conversations: export::conversations(ctx, plan).await?,
            listenings: export::listenings(ctx, plan).await?,
            evenings: export::evenings(ctx, plan).await?,
            together: export::together(ctx, plan).await?,
            maps: export::intimacy_maps(ctx, plan).await?,
            states: export::states_of_us(ctx, plan).await?,
        };
        page(zip, at, "practices.html", &p).await?;
        let p = PhotosPage { head: head.clone(), partner: partner.clone(), items: photos };
        page(zip, at, "photos.html", &p).await?;
    }
    if !plan.past.is_empty() {
        // One couple at a time: each is read, rendered and written before the next.
        for (i, past) in plan.past.iter().enumerate() {
            let words = export::words_of(ctx, plan.me.id, past).await?;
            let p = PastWordsPage { head: head.clone(), words };
            page(zip, at, &format!("past-words-{}.html", i + 1), &p).await?;
        }
    }
    Ok(())
}

/// A moment, however a template holds it (by value or through references).
pub trait Moment {
    fn moment(&self) -> Timestamp;
}

impl Moment for Timestamp {
    fn moment(&self) -> Timestamp {
        *self
    }
}

impl<T: Moment + ?Sized> Moment for &T {
    fn moment(&self) -> Timestamp {
        (**self).moment()
    }
}

/// Dates and times as people read them, in the person's own zone.
#[derive(Clone, Debug)]
pub struct Fmt {
    pub tz: TimeZoneName,
}

impl Fmt {
    /// "Tuesday 2 December 2026, 19:30".
    pub fn at(&self, t: impl Moment) -> String {
        crate::pages::when(t.moment(), &self.tz)
    }

    /// "2 December 2026".
    pub fn date(&self, t: impl Moment) -> String {
        t.moment().to_zoned(self.tz.zone()).strftime("%-d %B %Y").to_string()
    }

    /// "Tuesday 2 December 2026".
    pub fn day(&self, d: &Date) -> String {
        d.strftime("%A %-d %B %Y").to_string()
    }

    pub fn closeness(&self, n: &u8) -> &'static str {
        tend_domain::check_in::CLOSENESS_LABELS.get(usize::from(*n).saturating_sub(1)).copied().unwrap_or("")
    }
}

/// What every archive page's frame shows.
#[derive(Clone, Debug)]
pub struct Head {
    pub name: String,
    pub exported: String,
    pub fmt: Fmt,
}

impl Head {
    fn of(plan: &Plan) -> Self {
        let fmt = Fmt { tz: plan.me.time_zone.clone() };
        Head { name: plan.me.display_name.clone(), exported: fmt.at(plan.exported_at), fmt }
    }
}

#[derive(Template)]
#[template(path = "export/index.html")]
pub struct IndexPage {
    pub head: Head,
    pub since: Option<String>,
    pub partner: String,
    pub years: Vec<i16>,
    /// (since, ended) of each past couple, in order.
    pub past: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "export/check_ins.html")]
pub struct CheckInsPage {
    pub head: Head,
    pub year: i16,
    pub partner: String,
    pub days: Vec<CheckInDay>,
}

#[derive(Template)]
#[template(path = "export/appreciations.html")]
pub struct AppreciationsPage {
    pub head: Head,
    pub year: i16,
    pub partner: String,
    pub items: Vec<AppreciationRecord>,
}

#[derive(Template)]
#[template(path = "export/questions.html")]
pub struct QuestionsPage {
    pub head: Head,
    pub partner: String,
    pub items: Vec<QuestionRecord>,
}

#[derive(Template)]
#[template(path = "export/practices.html")]
pub struct PracticesPage {
    pub head: Head,
    pub partner: String,
    pub conversations: Vec<ConversationRecord>,
    pub listenings: Vec<ListeningRecord>,
    pub evenings: Vec<EveningRecord>,
    pub together: Together,
    pub maps: Vec<tend_domain::export::IntimacyMapRecord>,
    pub states: Vec<tend_domain::export::StateOfUsRecord>,
}

#[derive(Template)]
#[template(path = "export/photos.html")]
pub struct PhotosPage {
    pub head: Head,
    pub partner: String,
    pub items: Vec<PhotoRecord>,
}

#[derive(Template)]
#[template(path = "export/past_words.html")]
pub struct PastWordsPage {
    pub head: Head,
    pub words: PastWords,
}
