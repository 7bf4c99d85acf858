//! Moving an instance from SQLite to PostgreSQL: `tend copy`.
//!
//! Every table the migrations make is copied row by row, as stored (sealed words and wrapped
//! keys stay sealed, so the copy needs the same master key), into an empty PostgreSQL database
//! at the same migration. The tables and their columns come from PostgreSQL's catalogue, so a
//! table added by a later migration is copied without a change here; values are converted by
//! the PostgreSQL column's type (Unix milliseconds to `timestamptz`, 0/1 to `boolean`).
//!
//! The source is read in one transaction (a consistent snapshot, even of a running instance)
//! and the target written in one, with `COPY`, which is only committed once every table's row
//! count and checksum match the source's. The checksum is order-free: the sum of a SHA-256 per
//! row over a canonical form that both databases can produce.

use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use tend_domain::StoreError;

/// One table, copied and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    pub table: String,
    pub rows: u64,
    /// The order-free checksum both sides agreed on, in hex.
    pub checksum: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Time,
    Day,
    Text,
}

struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    identity: Option<String>,
}

fn fail(what: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(what.to_string())
}

fn db(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Copies everything in `from` into `to`, which must be migrated and empty.
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub async fn sqlite_to_postgres(
    from: &tend_store_sqlite::SqliteStore,
    to: &tend_store_postgres::PgStore,
) -> Result<Vec<Copied>, StoreError> {
    let tables = tables(to.pool()).await?;
    let mut source = from.pool().begin().await.map_err(db)?;
    let mut target = to.pool().begin().await.map_err(db)?;
    for t in &tables {
        let taken = sqlx::query_scalar::<_, bool>(&format!("select exists (select 1 from {})", t.name))
            .fetch_one(&mut *target)
            .await
            .map_err(db)?;
        if taken {
            return Err(StoreError::Conflict(format!(
                "the PostgreSQL database is not empty (table {} has rows): copy only into a new, empty database",
                t.name
            )));
        }
        let have: Vec<String> = sqlx::query_scalar(&format!("select name from pragma_table_info('{}')", t.name))
            .fetch_all(&mut *source)
            .await
            .map_err(db)?;
        let want: Vec<&String> = t.columns.iter().map(|(c, _)| c).collect();
        if have.iter().collect::<Vec<_>>() != want {
            return Err(fail(format!(
                "table {} differs between the two databases ({have:?} against {want:?}): run this version of Tend on \
                 the SQLite database once (`tend migrate`), then copy",
                t.name
            )));
        }
    }
    let mut report = Vec::new();
    for t in &tables {
        let (rows, sum) = copy_table(&mut source, &mut target, t).await?;
        let (check_rows, check_sum) = checksum_postgres(&mut target, t).await?;
        if (check_rows, check_sum) != (rows, sum) {
            return Err(fail(format!(
                "table {}: {rows} rows read but {check_rows} found after copying, or their checksums differ; \
                 nothing was committed",
                t.name
            )));
        }
        if let Some(id) = &t.identity {
            // The next id continues after the copied ones.
            sqlx::query(&format!(
                "select setval(pg_get_serial_sequence('{0}', '{id}'), coalesce(max({id}), 0) + 1, false) from {0}",
                t.name
            ))
            .execute(&mut *target)
            .await
            .map_err(db)?;
        }
        report.push(Copied { table: t.name.clone(), rows, checksum: format!("{sum:032x}") });
    }
    target.commit().await.map_err(db)?;
    source.rollback().await.map_err(db)?;
    Ok(report)
}

/// Every table the migrations made in the target's schema, parents before children.
async fn tables(pool: &sqlx::PgPool) -> Result<Vec<Table>, StoreError> {
    let rows: Vec<(String, String, String, bool)> = sqlx::query_as(
        "select table_name::text, column_name::text, data_type::text, is_identity = 'YES' \
         from information_schema.columns \
         where table_schema = current_schema() and table_name <> '_sqlx_migrations' \
         order by table_name, ordinal_position",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut tables: Vec<Table> = Vec::new();
    for (table, column, ty, identity) in rows {
        let kind = match ty.as_str() {
            "bigint" | "integer" | "smallint" => Kind::Int,
            "boolean" => Kind::Bool,
            "timestamp with time zone" => Kind::Time,
            "date" => Kind::Day,
            "text" => Kind::Text,
            other => return Err(fail(format!("{table}.{column} has a type the copy does not know: {other}"))),
        };
        if tables.last().is_none_or(|t| t.name != table) {
            tables.push(Table { name: table.clone(), columns: Vec::new(), identity: None });
        }
        if let Some(t) = tables.last_mut() {
            t.columns.push((column.clone(), kind));
            if identity {
                t.identity = Some(column);
            }
        }
    }
    let edges: Vec<(String, String)> = sqlx::query_as(
        "select c.conrelid::regclass::text, c.confrelid::regclass::text from pg_constraint c \
         where c.contype = 'f' and c.connamespace = current_schema()::regnamespace",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?;
    // Parents first: repeatedly take the tables whose parents are all placed.
    let mut ordered: Vec<Table> = Vec::new();
    while !tables.is_empty() {
        let ready = tables.iter().position(|t| {
            edges.iter().all(|(child, parent)| {
                child != &t.name || parent == &t.name || ordered.iter().any(|o| &o.name == parent)
            })
        });
        let Some(i) = ready else { return Err(fail("the tables' references form a cycle")) };
        ordered.push(tables.remove(i));
    }
    Ok(ordered)
}

/// One value in canonical form, the same from either database.
fn canon(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.extend_from_slice(b"\xff"),
        Some(v) => {
            out.extend_from_slice(&(v.len() as u64).to_be_bytes());
            out.extend_from_slice(v.as_bytes());
        }
    }
}

fn row_hash(canonical: &[u8]) -> u128 {
    let digest = Sha256::digest(canonical);
    let mut half = [0u8; 16];
    half.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(half)
}

/// A value as COPY's text format wants it.
fn copy_field(out: &mut String, value: Option<&str>) {
    let Some(v) = value else {
        out.push_str("\\N");
        return;
    };
    for ch in v.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
}

#[cfg(all(feature = "sqlite", feature = "postgres"))]
async fn copy_table(
    source: &mut sqlx::SqliteConnection,
    target: &mut sqlx::PgConnection,
    t: &Table,
) -> Result<(u64, u128), StoreError> {
    let names: Vec<&str> = t.columns.iter().map(|(c, _)| c.as_str()).collect();
    let list = names.join(", ");
    let mut copy = target.copy_in_raw(&format!("copy {} ({list}) from stdin", t.name)).await.map_err(db)?;
    let (mut rows, mut sum) = (0u64, 0u128);
    let mut buffer = String::new();
    let mut canonical = Vec::new();
    let sql = format!("select {list} from {}", t.name);
    let mut stream = sqlx::query(&sql).fetch(&mut *source);
    let streamed: Result<(), StoreError> = async {
        while let Some(row) = stream.try_next().await.map_err(db)? {
            canonical.clear();
            for (i, (column, kind)) in t.columns.iter().enumerate() {
                if i > 0 {
                    buffer.push('\t');
                }
                let (stored, written) =
                    sqlite_value(&row, i, *kind).map_err(|e| fail(format!("{}.{column}: {e}", t.name)))?;
                canon(&mut canonical, stored.as_deref());
                copy_field(&mut buffer, written.as_deref());
            }
            buffer.push('\n');
            rows += 1;
            sum = sum.wrapping_add(row_hash(&canonical));
            if buffer.len() > 64 * 1024 {
                copy.send(std::mem::take(&mut buffer).into_bytes()).await.map_err(db)?;
            }
        }
        Ok(())
    }
    .await;
    drop(stream);
    if let Err(e) = streamed {
        let _ = copy.abort(e.to_string()).await;
        return Err(e);
    }
    if !buffer.is_empty() {
        copy.send(buffer.into_bytes()).await.map_err(db)?;
    }
    let copied = copy.finish().await.map_err(db)?;
    if copied != rows {
        return Err(fail(format!("table {}: {rows} rows read, {copied} written", t.name)));
    }
    Ok((rows, sum))
}

/// A SQLite value as (its canonical form, what COPY is given).
#[cfg(feature = "sqlite")]
fn sqlite_value(
    row: &sqlx::sqlite::SqliteRow,
    i: usize,
    kind: Kind,
) -> Result<(Option<String>, Option<String>), String> {
    let text = |r: Result<Option<String>, sqlx::Error>| r.map_err(|e| e.to_string());
    let int = |r: Result<Option<i64>, sqlx::Error>| r.map_err(|e| e.to_string());
    Ok(match kind {
        Kind::Text | Kind::Day => {
            let v = text(row.try_get::<Option<String>, _>(i))?;
            (v.clone(), v)
        }
        Kind::Int => {
            let v = int(row.try_get::<Option<i64>, _>(i))?.map(|n| n.to_string());
            (v.clone(), v)
        }
        Kind::Bool => match int(row.try_get::<Option<i64>, _>(i))? {
            None => (None, None),
            Some(n @ (0 | 1)) => (Some(n.to_string()), Some(if n == 1 { "t" } else { "f" }.into())),
            Some(n) => return Err(format!("{n} is not 0 or 1")),
        },
        Kind::Time => match int(row.try_get::<Option<i64>, _>(i))? {
            None => (None, None),
            Some(ms) => {
                let at = jiff::Timestamp::from_millisecond(ms).map_err(|e| e.to_string())?;
                (Some(ms.to_string()), Some(at.to_string()))
            }
        },
    })
}

/// Row count and checksum of a PostgreSQL table, in the same canonical form as the source's.
#[cfg(feature = "postgres")]
async fn checksum_postgres(target: &mut sqlx::PgConnection, t: &Table) -> Result<(u64, u128), StoreError> {
    let select: Vec<String> = t
        .columns
        .iter()
        .map(|(c, kind)| match kind {
            Kind::Int => format!("{c}::bigint::text"),
            Kind::Bool => format!("{c}::int::text"),
            Kind::Time => format!("(extract(epoch from {c}) * 1000)::bigint::text"),
            Kind::Day => format!("{c}::text"),
            Kind::Text => c.clone(),
        })
        .collect();
    let sql = format!("select {} from {}", select.join(", "), t.name);
    let mut stream = sqlx::query(&sql).fetch(&mut *target);
    let (mut rows, mut sum) = (0u64, 0u128);
    let mut canonical = Vec::new();
    while let Some(row) = stream.try_next().await.map_err(db)? {
        canonical.clear();
        for i in 0..row.columns().len() {
            let v: Option<String> = row.try_get(i).map_err(db)?;
            canon(&mut canonical, v.as_deref());
        }
        rows += 1;
        sum = sum.wrapping_add(row_hash(&canonical));
    }
    Ok((rows, sum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        let mut out = String::new();
        copy_field(&mut out, Some("a\tb\nc\\d\re\u{1}"));
        copy_field(&mut out, None);
        assert_eq!(out, "a\\tb\\nc\\\\d\\re\u{1}\\N");
    }

    #[test]
    fn canonical_forms_tell_null_from_empty_and_shifted_values_apart() {
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        canon(&mut a, None);
        canon(&mut b, Some(""));
        assert_ne!(a, b);
        canon(&mut a, Some("ab"));
        canon(&mut c, Some("a"));
        canon(&mut c, Some("b"));
        assert_ne!(row_hash(&a), row_hash(&c));
    }
}
