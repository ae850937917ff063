//! Cutting the report file into upload parts: sizes, numbering, totals, and the same file whatever the cut.

mod support;

use deskbell_contract::{ReportFormat, Ticket};
use deskbell_reports::{Finished, Part};
use support::{concat, gunzip, varied_ticket, whole_file, write_report};

const FORMATS: [ReportFormat; 2] = [ReportFormat::Csv, ReportFormat::Json];

fn tickets(n: u64) -> Vec<Ticket> {
    (1..=n).map(varied_ticket).collect()
}

/// Checks the parts of a report of `tickets` cut at `part_size`; returns them end to end.
fn assert_well_cut(parts: &[Part], finished: &Finished, part_size: usize, tickets: &[Ticket]) -> Vec<u8> {
    for part in &parts[..parts.len() - 1] {
        assert!(part.bytes.len() >= part_size, "part {} has {} bytes", part.number, part.bytes.len());
    }
    assert!(!finished.last.bytes.is_empty(), "the last part is not empty");
    let numbers: Vec<i32> = parts.iter().map(|p| p.number).collect();
    assert_eq!(numbers, (1..=parts.len() as i32).collect::<Vec<_>>(), "part numbers");
    assert_eq!(finished.bytes, parts.iter().map(|p| p.bytes.len() as u64).sum::<u64>(), "bytes");
    assert_eq!(finished.rows, tickets.len() as u64, "rows");
    concat(parts)
}

#[test]
fn parts_of_1024_bytes_concatenate_to_the_whole_file() {
    let tickets = tickets(500);
    for format in FORMATS {
        let (parts, finished) = write_report(format, false, 1024, &tickets);
        assert!(parts.len() > 1, "{format:?}: several parts");
        let cut = assert_well_cut(&parts, &finished, 1024, &tickets);
        assert_eq!(cut, whole_file(format, false, &tickets), "{format:?}");
    }
}

#[test]
fn gzip_parts_concatenate_to_one_stream_of_the_plain_file() {
    // The compressor holds up to one deflate block (about 64 KiB of LZ codes) before any of it reaches the parts:
    // 500 varied tickets (about 30 KB compressed) fit in one block, 3000 make several.
    for count in [500, 3000] {
        let tickets = tickets(count);
        for format in FORMATS {
            let (parts, finished) = write_report(format, true, 1024, &tickets);
            if count == 3000 {
                assert!(parts.len() > 1, "{format:?}: several parts from {count} tickets");
            }
            let cut = assert_well_cut(&parts, &finished, 1024, &tickets);
            assert_eq!(gunzip(&cut), whole_file(format, false, &tickets), "{format:?} {count} tickets");
            assert_eq!(cut, whole_file(format, true, &tickets), "{format:?} {count}: the cut leaves the stream alone");
        }
    }
}

#[test]
fn part_size_does_not_change_the_file() {
    let tickets = tickets(300);
    for format in FORMATS {
        let whole = whole_file(format, false, &tickets);
        for part_size in [1, 100, 4096, 65_536] {
            let (parts, _) = write_report(format, false, part_size, &tickets);
            assert_eq!(concat(&parts), whole, "{format:?} part_size={part_size}");
        }
    }
}

#[test]
fn parts_stay_near_the_part_size_however_many_rows() {
    let part_size = 64 * 1024;
    for format in FORMATS {
        for gzip in [false, true] {
            let mut writer = deskbell_reports::ReportWriter::new(format, gzip, part_size);
            let mut largest = 0;
            for n in 1..=20_000 {
                if let Some(part) = writer.push(&varied_ticket(n)).unwrap() {
                    largest = largest.max(part.bytes.len());
                }
            }
            let finished = writer.finish().unwrap();
            largest = largest.max(finished.last.bytes.len());
            assert!(finished.last.number > 2, "{format:?} gzip={gzip}: several parts");
            assert!(largest < 2 * part_size, "{format:?} gzip={gzip}: a part of {largest} bytes");
        }
    }
}

#[test]
fn a_report_smaller_than_a_part_is_one_part() {
    for format in FORMATS {
        let (parts, finished) = write_report(format, false, deskbell_reports::MIN_PART_SIZE, &tickets(10));
        assert_eq!(parts.len(), 1);
        assert_eq!((finished.last.number, finished.rows), (1, 10));
    }
}
