import Runtime
import TestSupport
import XCTest

/// Durations and distances as pipeline files spell them, checked against a plain reference and
/// round-tripped through `Quantity.format` on seeded values.
final class PipelineLoaderQuantityTests: XCTestCase {
    func testDurations() throws {
        let cases: [(String, Int64)] = [
            ("500ms", 500), ("60s", 60_000), ("5m", 300_000), ("2h", 7_200_000), ("1d", 86_400_000),
            ("1.5s", 1_500), ("0.25m", 15_000), ("0.001s", 1), ("0", 0), ("0s", 0), ("0.0h", 0), (" 10 s ", 10_000),
            ("106751991167d", 106_751_991_167 * 86_400_000),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try Quantity.milliseconds(parsing: text), expected, text)
        }
    }

    func testDurationFailuresSayWhy() {
        let cases: [(String, String)] = [
            ("", "expected a duration like 500ms, 60s or 5m, got ''"),
            ("s", "expected a duration like 500ms, 60s or 5m, got 's'"),
            ("1.s", "expected a duration like 500ms, 60s or 5m, got '1.s'"),
            (".5s", "expected a duration like 500ms, 60s or 5m, got '.5s'"),
            ("1.2.3s", "expected a duration like 500ms, 60s or 5m, got '1.2.3s'"),
            ("1e3ms", "expected a duration like 500ms, 60s or 5m, got '1e3ms' (units: ms, s, m, h, d)"),
            ("12", "expected a duration like 500ms, 60s or 5m, got '12' (a number needs a unit: ms, s, m, h or d)"),
            ("0.5ms", "duration '0.5ms' is not a whole number of milliseconds"),
            ("106751991168d", "duration '106751991168d' is too large"),
            ("9999999999999999999ms", "expected a duration like 500ms, 60s or 5m, got '9999999999999999999ms'"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try Quantity.milliseconds(parsing: text), text) { error in
                XCTAssertEqual((error as? QuantityError)?.message, message)
            }
        }
    }

    func testDistances() throws {
        let cases: [(String, Double)] = [
            ("50m", 50), ("2km", 2_000), ("0.5km", 500), ("1500m", 1_500), ("0", 0), ("0.25m", 0.25), ("40075km", 40_075_000),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try Quantity.metres(parsing: text), expected, text)
        }
        for text in ["fifty", "50", "50 miles", "-5m", "inf", "nan m", "40076km"] {
            XCTAssertThrowsError(try Quantity.metres(parsing: text), text)
        }
    }

    func testEventCounts() {
        XCTAssertEqual(Quantity.eventCount(parsing: "10000 events"), 10_000)
        XCTAssertEqual(Quantity.eventCount(parsing: "1 event"), 1)
        XCTAssertEqual(Quantity.eventCount(parsing: "0 events"), 0)
        XCTAssertNil(Quantity.eventCount(parsing: "1.5 events"))
        XCTAssertNil(Quantity.eventCount(parsing: "10s"))
        XCTAssertNil(Quantity.eventCount(parsing: "events"))
    }

    /// Reference: the largest unit that divides the value exactly, found by trying each in turn.
    func testFormattingRoundTripsOnSeededDurations() throws {
        var generator = SeededGenerator(seed: 4_2026)
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)]
        for _ in 0..<2_000 {
            let unit = units[Int(generator.next() % UInt64(units.count))]
            let count = Int64(generator.next() % 10_000) + 1
            let milliseconds = count * unit.1 + (generator.next() % 4 == 0 ? Int64(generator.next() % 1_000) : 0)
            let formatted = Quantity.format(milliseconds: milliseconds)
            XCTAssertEqual(try Quantity.milliseconds(parsing: formatted), milliseconds, formatted)
            let largest = units.first { milliseconds % $0.1 == 0 }!
            XCTAssertEqual(formatted, "\(milliseconds / largest.1)\(largest.0)")
        }
        XCTAssertEqual(Quantity.format(milliseconds: 0), "0s")
        XCTAssertEqual(Quantity.format(metres: 2_000), "2km")
        XCTAssertEqual(Quantity.format(metres: 1_500), "1500m")
        XCTAssertEqual(Quantity.format(metres: 0.5), "0.5m")
    }
}
