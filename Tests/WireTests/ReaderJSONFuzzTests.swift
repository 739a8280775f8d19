import Foundation
import TestSupport
import Wire
import XCTest

/// The JSON scanner against Foundation's JSONSerialization on seeded random documents, and on
/// truncated and corrupted text (which must never crash).
final class ReaderJSONFuzzTests: XCTestCase {
    private struct Generator {
        var random: SeededGenerator

        mutating func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }

        mutating func space() -> String { ["", "", " ", "\n", "\t ", "\r\n"][pick(6)] }

        mutating func string() -> String {
            let pieces = ["a", "Z", "0", " ", "é", "日本", "🚢", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\udea2", "\\u0000", "\\b\\f\\r"]
            return "\"" + (0..<pick(8)).map { _ in pieces[pick(pieces.count)] }.joined() + "\""
        }

        mutating func number() -> String {
            switch pick(5) {
            case 0: return String(Int64(bitPattern: random.next()) >> Int64(pick(64)))
            case 1: return String(pick(1000) - 500)
            case 2: return "\(random.nextDouble(in: -1000..<1000))"
            case 3: return "\(Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF) * (pick(2) == 0 ? 1 : -1))"
            default: return "\(pick(100))\(["e", "E"][pick(2)])\(["", "+", "-"][pick(3)])\(pick(30))"
            }
        }

        mutating func value(depth: Int) -> String {
            let kind = depth > 5 ? pick(5) : pick(7)
            switch kind {
            case 0: return "null"
            case 1: return pick(2) == 0 ? "true" : "false"
            case 2, 3: return number()
            case 4: return string()
            case 5:
                let items = (0..<pick(5)).map { _ in space() + value(depth: depth + 1) + space() }
                return "[" + items.joined(separator: ",") + "]"
            default:
                let members = (0..<pick(5)).map { _ in space() + string() + space() + ":" + space() + value(depth: depth + 1) }
                return "{" + members.joined(separator: ",") + space() + "}"
            }
        }
    }

    /// Whether a scanner value equals what JSONSerialization produced.
    private func same(_ mine: JSONValue, _ theirs: Any) -> Bool {
        switch mine {
        case .null: return theirs is NSNull
        case .bool(let flag): return (theirs as? NSNumber)?.boolValue == flag || (theirs as? Bool) == flag
        case .integer(let value):
            guard let number = theirs as? NSNumber else { return false }
            return number.int64Value == value || Self.double(number) == Double(value)
        case .double(let value):
            guard let number = theirs as? NSNumber else { return false }
            return Self.double(number) == value
        case .string(let text): return (theirs as? String) == text
        case .array(let items):
            guard let other = theirs as? [Any], other.count == items.count else { return false }
            return zip(items, other).allSatisfy { same($0, $1) }
        case .object(let object):
            guard let other = theirs as? [String: Any] else { return false }
            var last: [String: JSONValue] = [:]
            for member in object.members { last[member.key] = member.value }
            return last.count == other.count && last.allSatisfy { key, value in other[key].map { same(value, $0) } ?? false }
        }
    }

    /// Foundation on Linux returns long mantissas as NSDecimalNumber, whose `doubleValue` is not
    /// correctly rounded; its exact decimal text is, once read by `Double(String)`.
    private static func double(_ number: NSNumber) -> Double? {
        if let decimal = number as? NSDecimalNumber { return Double(decimal.stringValue) }
        return number.doubleValue
    }

    func testRandomDocumentsAgreeWithJSONSerialization() throws {
        var generator = Generator(random: SeededGenerator(seed: 0x600D_F00D))
        for round in 0..<3000 {
            let text = generator.space() + generator.value(depth: 0) + generator.space()
            let mine: JSONValue
            do {
                mine = try JSONValue(parsing: text)
            } catch {
                return XCTFail("round \(round): scanner rejected valid JSON \(text): \(error)")
            }
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            XCTAssertTrue(same(mine, theirs), "round \(round): \(text)")
        }
    }

    func testTruncatedAndCorruptedDocumentsNeverCrash() throws {
        var generator = Generator(random: SeededGenerator(seed: 0xBAD_C0DE))
        var rejected = 0
        for _ in 0..<3000 {
            var bytes = Array((generator.value(depth: 0)).utf8)
            switch generator.pick(3) {
            case 0: bytes = Array(bytes.prefix(generator.pick(bytes.count + 1)))
            case 1:
                for _ in 0..<(1 + generator.pick(4)) where !bytes.isEmpty {
                    bytes[generator.pick(bytes.count)] = UInt8(truncatingIfNeeded: generator.random.next())
                }
            default:
                let junk = ["{", "}", "[", "]", ",", ":", "\"", "\\", "-", "e", "0"]
                bytes.insert(contentsOf: junk[generator.pick(junk.count)].utf8, at: generator.pick(bytes.count + 1))
            }
            let result = bytes.withUnsafeBytes { try? JSONValue(parsing: $0) }
            if result == nil { rejected += 1 }
            if let result, let theirs = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) {
                XCTAssertTrue(same(result, theirs), String(decoding: bytes, as: UTF8.self))
            }
            // The same bytes as a Feature line and inside a collection: rejected or read, never a crash.
            let line = #"{"type":"Feature","id":"x","properties":{"t":1,"p":"#.utf8 + bytes + "},\"geometry\":null}\n".utf8
            _ = try? readChunked(Array(line), options: ReaderOptions(format: .geojsonseq)) { 3 }
            let collection = #"{"type":"FeatureCollection","features":["#.utf8 + bytes + "]}".utf8
            _ = try? readChunked(Array(collection), options: ReaderOptions(format: .geojson)) { 5 }
        }
        XCTAssertGreaterThan(rejected, 500, "corruption should usually be detected")
    }

    func testStrictGrammar() {
        for bad in ["01", "1.", ".5", "+1", "-", "1e", "[1,]", "{\"a\":1,}", "{a:1}", "'x'", "\"\t\"", "nul", "[1 2]",
                    "\"\\x\"", "NaN", "Infinity", "1e400", "{\"a\" 1}", "[", "\"abc"] {
            XCTAssertThrowsError(try JSONValue(parsing: bad), bad)
        }
        XCTAssertEqual(try JSONValue(parsing: "12345678901234567890"), .double(Double("12345678901234567890")!), "a number past Int64 becomes the nearest double")
        XCTAssertEqual(try JSONValue(parsing: "-9223372036854775808"), .integer(Int64.min))
        XCTAssertEqual(try JSONValue(parsing: "0.1"), .double(0.1))
        XCTAssertEqual(try JSONValue(parsing: "-16.067132663642447"), .double(-16.067132663642447))
        XCTAssertEqual(try JSONValue(parsing: #"{"b":1,"a":[true,null]}"#),
                       .object(["b": .integer(1), "a": .array([.bool(true), .null])]))
    }
}
