import Foundation
import TestSupport
@testable import Wire
import XCTest

/// The readers' fast paths must give exactly what the general paths give: each is checked against
/// the general path on seeded inputs, including the edges where the fast path must step aside.
final class ReaderFastPathTests: XCTestCase {
    private func withBytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        Array(text.utf8).withUnsafeBytes(body)
    }

    func testPlainDecimalIsBitIdenticalToTheGeneralParser() {
        var generator = SeededGenerator(seed: 42)
        var fastHits = 0
        for _ in 0..<20_000 {
            let integerDigits = Int(generator.next() % 21)
            let fractionDigits = Int(generator.next() % 22) - 1  // -1: no '.'
            var text = generator.next() % 2 == 0 ? "-" : ""
            for _ in 0..<integerDigits { text += String(generator.next() % (generator.next() % 3 == 0 ? 1 : 10)) }
            if fractionDigits >= 0 {
                text += "."
                for _ in 0..<fractionDigits { text += String(generator.next() % 10) }
            }
            let (fast, general) = withBytes(text) { (NumberParsing.plainDecimal($0), NumberParsing.double($0)) }
            guard let fast else { continue }
            fastHits += 1
            guard case .double(let expected) = general else {
                XCTFail("'\(text)': fast path read \(fast), general parser \(general)")
                continue
            }
            XCTAssertEqual(fast.bitPattern, expected.bitPattern, "'\(text)': \(fast) vs \(expected)")
        }
        XCTAssertGreaterThan(fastHits, 5_000, "the generator should mostly produce plain decimals")
    }

    /// The two-word path against the byte loop: every length 1...18, digits, dots, signs and junk in
    /// every position, and arbitrary bytes after the field (which the words load but must ignore).
    func testWordDecimalIsBitIdenticalToThePlainDecimal() {
        var generator = SeededGenerator(seed: 43)
        let alphabet = Array("0123456789012345678901234567890123456789.-+e x".utf8)
        var wordHits = 0
        for round in 0..<60_000 {
            var field: [UInt8] = []
            if round % 3 == 0 {
                // Random bytes from a digit-heavy alphabet.
                for _ in 0..<Int(generator.next() % 19) { field.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            } else {
                // Well-formed [-]I.F with I, F in 0...9 digits.
                if generator.next() % 2 == 0 { field.append(UInt8(ascii: "-")) }
                for _ in 0..<Int(generator.next() % 10) { field.append(UInt8(ascii: "0") + UInt8(generator.next() % 10)) }
                field.append(UInt8(ascii: "."))
                for _ in 0..<Int(generator.next() % 10) { field.append(UInt8(ascii: "0") + UInt8(generator.next() % 10)) }
            }
            let trailing = (0..<24).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let buffer = field + trailing
            let (word, plain) = buffer.withUnsafeBytes { all -> (Double?, Double?) in
                let bytes = UnsafeRawBufferPointer(rebasing: all[0..<field.count])
                return (NumberParsing.plainDecimal(bytes, readableBytes: all.count), NumberParsing.plainDecimal(bytes))
            }
            XCTAssertEqual(word?.bitPattern, plain?.bitPattern, "'\(String(decoding: field, as: UTF8.self))'")
            if word != nil && field.count <= 16 { wordHits += 1 }
        }
        XCTAssertGreaterThan(wordHits, 20_000)
    }

    /// Bare-digit times read two words at a time against the byte loop, junk after the field.
    func testWordDigitTimesMatchTheByteLoop() {
        var generator = SeededGenerator(seed: 44)
        let alphabet = Array("01234567890123456789:-.TZ x".utf8)
        var wordHits = 0
        for round in 0..<40_000 {
            let length = Int(generator.next() % 19)
            let field: [UInt8] = (0..<length).map { _ in
                round % 4 == 0 ? alphabet[Int(generator.next() % UInt64(alphabet.count))] : UInt8(ascii: "0") + UInt8(generator.next() % 10)
            }
            let buffer = field + (0..<16).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            for unit in [TimeUnit.auto, .milliseconds, .seconds] {
                let (word, plain) = buffer.withUnsafeBytes { all -> (Int64?, Int64?) in
                    let bytes = UnsafeRawBufferPointer(rebasing: all[0..<field.count])
                    return (TimeParser.parse(bytes, unit: unit, readableBytes: all.count), TimeParser.parse(bytes, unit: unit))
                }
                XCTAssertEqual(word, plain, "'\(String(decoding: field, as: UTF8.self))' \(unit)")
            }
            if field.count >= 9 && field.count <= 16 && round % 4 != 0 { wordHits += 1 }
        }
        XCTAssertGreaterThan(wordHits, 10_000)
    }

    func testPlainDecimalStepsAsideForEverythingElse() {
        for text in ["", "-", ".5", "5.", "-.5", "+1", "1e5", "1.5E-3", " 1.5", "1.5 ", "1.2.3", "nan", "0x10",
                     "12345678901234567890", "1234567890.1234567890", "9007199254740993", "0.9007199254740993"] {
            XCTAssertNil(withBytes(text) { NumberParsing.plainDecimal($0) }, "'\(text)' must go through the general parser")
        }
        XCTAssertEqual(withBytes("-0") { NumberParsing.plainDecimal($0) }?.bitPattern, (0.0).bitPattern)
        XCTAssertEqual(withBytes("-0.0") { NumberParsing.plainDecimal($0) }?.bitPattern, (-0.0).bitPattern)
        XCTAssertEqual(withBytes("-73.98504") { NumberParsing.plainDecimal($0) }, -73.98504)
        XCTAssertEqual(withBytes("9007199254740992") { NumberParsing.plainDecimal($0) }, 9_007_199_254_740_992)
    }

    func testBareDigitTimesMatchTheGeneralPath() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<5_000 {
            let length = Int(generator.next() % 20) + 1
            var text = ""
            for _ in 0..<length { text += String(generator.next() % 10) }
            for unit in TimeUnit.allCases {
                // A leading space keeps the general path, which trims it.
                XCTAssertEqual(TimeParser.parse(text, unit: unit), TimeParser.parse(" " + text, unit: unit),
                               "'\(text)' as \(unit)")
            }
        }
        XCTAssertEqual(TimeParser.parse("999999999999999999", unit: .seconds), nil, "overflow is still caught")
        XCTAssertEqual(TimeParser.parse("1593476532"), 1_593_476_532_000)
    }

    func testInternerGivesTheSameTextAsDecoding() {
        var interner = TextInterner()
        var generator = SeededGenerator(seed: 3)
        let pool: [[UInt8]] = (0..<300).map { k in
            var bytes = Array("\(100_000_000 + k * 7919)".utf8)
            if k % 10 == 0 { bytes += Array("-vessel-é".utf8) }
            if k % 25 == 0 { bytes.append(0xFF) }  // invalid UTF-8: never a String
            if k % 50 == 0 { bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 70) }  // over maxBytes
            return bytes
        }
        for round in 0..<20_000 {
            // Later rounds add fresh ids so the table fills past its capacity.
            let bytes = round < 10_000 ? pool[Int(generator.next() % UInt64(pool.count))] : Array("id\(round)".utf8)
            let interned = bytes.withUnsafeBytes { interner.string($0) }
            XCTAssertEqual(interned, UTF8Text.string(bytes), "bytes \(bytes)")
        }
    }

    func testCSVFastAndGeneralFramingAgreeOnMixedRecords() throws {
        var generator = SeededGenerator(seed: 11)
        var text = "id,t,lon,lat,name\r\n"
        var expectedEvents = 0
        var expectedRejections = 0
        for k in 0..<2_000 {
            let lon = String(format: "%.5f", generator.nextDouble(in: -180..<180))
            let lat = String(format: "%.5f", generator.nextDouble(in: -90..<90))
            let end = generator.next() % 2 == 0 ? "\n" : "\r\n"
            switch generator.next() % 8 {
            case 0: text += "\"v\(k % 50)\",\(k),\(lon),\(lat),\"a \"\"quoted\"\"\nname\"" + end; expectedEvents += 1
            case 1: text += "v\(k % 50),\(k),\(lon),\(lat),mid\"quote" + end; expectedEvents += 1
            case 2: text += end  // blank line
            case 3: text += "v\(k % 50),\(k),\(lon)" + end; expectedRejections += 1  // too few columns
            case 4: text += "v\(k % 50),\(k),\(lon),\(lat),x,y" + end; expectedRejections += 1  // too many
            case 5: text += "v\(k % 50),\(k),\(lon),\"\(lat)\"," + end; expectedEvents += 1
            default: text += "v\(k % 50),\(k),\(lon),\(lat),n\(k)" + end; expectedEvents += 1
            }
        }
        let items = try readEveryWay(Array(text.utf8), options: ReaderOptions(format: .csv, timeUnit: .milliseconds))
        let events = items.filter { if case .event = $0 { true } else { false } }
        XCTAssertEqual(events.count, expectedEvents)
        XCTAssertEqual(items.count - events.count, expectedRejections)
    }

    /// The word-at-a-time record scan: delimiters, quotes and line ends at every offset within an
    /// 8-byte word, fields longer than a word, another delimiter, and records whose field count is
    /// off by one either way (left to the general path), all against one-byte-at-a-time reading.
    func testCSVWordScanAgreesWithTheGeneralPathAtEveryOffset() throws {
        var generator = SeededGenerator(seed: 12)
        for delimiter in [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")] {
            let d = String(UnicodeScalar(delimiter))
            var text = ["id", "t", "lon", "lat", "note"].joined(separator: d) + "\n"
            for k in 0..<1_500 {
                let id = String(repeating: "v", count: Int(generator.next() % 20) + 1) + "\(k % 37)"
                let note = String(repeating: "n", count: Int(generator.next() % 19))
                let lon = String(format: "%.\(generator.next() % 7)f", generator.nextDouble(in: -180..<180))
                let lat = String(format: "%.\(generator.next() % 7)f", generator.nextDouble(in: -90..<90))
                var fields = [id, "\(1_600_000_000_000 + Int(generator.next() % 1_000_000))", lon, lat, note]
                switch generator.next() % 10 {
                case 0: fields.append("extra")
                case 1: fields.removeLast()
                case 2: fields[4] = "\"q\(d)uoted\""
                case 3: fields[4] = "n" + note + "\"inner"
                case 4: fields[2] = "\"" + lon + "\""
                default: break
                }
                text += fields.joined(separator: d) + (generator.next() % 3 == 0 ? "\r\n" : "\n")
            }
            let options = ReaderOptions(format: .csv, csv: CSVOptions(delimiter: delimiter), timeUnit: .milliseconds)
            let items = try readEveryWay(Array(text.utf8), options: options)
            XCTAssertEqual(items.count, 1_500)
            XCTAssertGreaterThan(items.events.count, 1_000)
        }
    }
}
