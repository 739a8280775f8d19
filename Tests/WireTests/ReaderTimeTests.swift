import Foundation
import Wire
import XCTest

final class ReaderTimeTests: XCTestCase {
    func testTimeTable() {
        let table: [(String, Int64?)] = [
            ("1593476532000", 1_593_476_532_000),  // epoch ms
            ("1593476532", 1_593_476_532_000),  // epoch seconds (below 10^11)
            ("1593476532.25", 1_593_476_532_250),
            ("1593476532.1234", 1_593_476_532_123),
            ("1593476532.1235", 1_593_476_532_124),  // half rounds away from zero
            ("1593476532000.6", 1_593_476_532_001),  // ms with a fraction: rounded
            ("  1593476532  ", 1_593_476_532_000),
            ("0", 0),
            ("-1.5", -1_500),
            ("99999999999", 99_999_999_999_000),  // just below 10^11: seconds
            ("100000000000", 100_000_000_000),  // 10^11: milliseconds
            ("1.5934765e9", 1_593_476_500_000),
            ("2020-06-30T00:22:12Z", 1_593_476_532_000),
            ("2020-06-30T00:22:12.25Z", 1_593_476_532_250),
            ("2020-06-30T00:22:12.1236Z", 1_593_476_532_124),
            ("2020-06-30 00:22:12", 1_593_476_532_000),  // no zone: UTC
            ("2020-06-30T02:22:12+02:00", 1_593_476_532_000),
            ("2020-06-29T19:22:12-0500", 1_593_476_532_000),
            ("2020-06-30T05:52:12+05:30", 1_593_476_532_000),
            ("2020-06-30T00:22Z", 1_593_476_520_000),
            ("2020-06-30", 1_593_475_200_000),
            ("1970-01-01T00:00:00Z", 0),
            ("1969-12-31T23:59:59Z", -1_000),
            ("2000-02-29T00:00:00Z", 951_782_400_000),
            ("2100-02-29T00:00:00Z", nil),  // not a leap year
            ("2020-13-01T00:00:00Z", nil),
            ("2020-06-31T00:00:00Z", nil),
            ("2020-06-30T24:00:00Z", nil),
            ("2020-06-30T00:60:00Z", nil),
            ("2020-06-30T00:00:00Q", nil),
            ("2020-06-30T00:00:00.Z", nil),
            ("", nil),
            ("   ", nil),
            ("yesterday", nil),
            ("12abc", nil),
            ("NaN", nil),
            ("1e999", nil),
            ("99999999999999999999", nil),  // overflows Int64
            ("9223372036854775807", 9_223_372_036_854_775_807),
            ("9223372036854775", 9_223_372_036_854_775),
        ]
        for (text, expected) in table {
            XCTAssertEqual(TimeParser.parse(text), expected, text)
        }
    }

    func testExplicitUnits() {
        XCTAssertEqual(TimeParser.parse("1000", unit: .milliseconds), 1000)
        XCTAssertEqual(TimeParser.parse("1000", unit: .seconds), 1_000_000)
        XCTAssertEqual(TimeParser.parse("1593476532000", unit: .seconds), 1_593_476_532_000_000)
        XCTAssertEqual(TimeParser.parse("2020-06-30T00:22:12Z", unit: .seconds), 1_593_476_532_000, "ISO ignores the unit")
    }

    func testEveryDayOfFourCenturiesMatchesFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var components = DateComponents(year: 1900, month: 1, day: 1)
        let start = calendar.date(from: components)!
        var day = 0
        while day < 146_097 {
            let date = start.addingTimeInterval(Double(day) * 86_400)
            components = calendar.dateComponents([.year, .month, .day], from: date)
            let text = String(format: "%04d-%02d-%02dT12:00:00Z", components.year!, components.month!, components.day!)
            XCTAssertEqual(TimeParser.parse(text), Int64(date.timeIntervalSince1970 * 1000) + 43_200_000, text)
            day += 37  // a spread of dates across every month and leap rule, quickly
        }
    }
}
