import Foundation
import GeoCore
import TestSupport
@testable import Wire
import XCTest

/// The GeoJSON fast paths (8-byte framing, properties read with id/time/role held apart, interned
/// ids) against plain references written here: a byte-by-byte framer, and the id/time/role rules
/// applied to a `JSONObject` parsed by the general parser.
final class ReaderGeoJSONFastPathTests: XCTestCase {
    // MARK: Framing

    /// Where a value starting at `text[0]` ends, one byte at a time: the rule the framer implements.
    private func referenceEnd(_ text: [UInt8]) -> Int? {
        var depth = 0, inString = false, escaped = false
        for (i, byte) in text.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return i + 1 }
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
        }
        return nil
    }

    private func framedEnd(_ text: [UInt8], chunkSizes: inout SeededGenerator, maxChunk: Int) -> Int? {
        var framer = JSONValueFramer()
        var start = 0
        while start < text.count {
            let end = min(text.count, start + Int(chunkSizes.next() % UInt64(maxChunk)) + 1)
            let found = text[start..<end].withUnsafeBytes { framer.scan($0, from: 0) }
            if let found { return start + found }
            start = end
        }
        return nil
    }

    func testFramerFindsTheSameEndAsAByteByByteScan() {
        var generator = SeededGenerator(seed: 2026)
        // Runs longer than 8 bytes, every special byte, and bytes that fold onto them under `| 0x20`.
        let pieces = ["\"", "\\", "\\\"", "\\\\", "{", "}", "[", "]", "abcdefghijklmnop", "0123456789", ",", ":",
                      " ", "\u{02}", "\u{1D}", "\u{1B}", "é", "{\"a\":[1,2]}", "\"plain text longer than eight\""]
        var checked = 0
        for round in 0..<4_000 {
            var text = [UInt8](round % 2 == 0 ? "{".utf8 : "[".utf8)
            for _ in 0..<Int(generator.next() % 40) { text += Array(pieces[Int(generator.next() % UInt64(pieces.count))].utf8) }
            if generator.next() % 4 != 0 { text += Array((round % 2 == 0 ? "}" : "]").utf8) + Array("]}\"x".utf8) }
            let expected = referenceEnd(text)
            for maxChunk in [1, 5, 9, 64] {
                XCTAssertEqual(framedEnd(text, chunkSizes: &generator, maxChunk: maxChunk), expected,
                               "\(String(decoding: text, as: UTF8.self)) in chunks up to \(maxChunk)")
            }
            if expected != nil { checked += 1 }
        }
        XCTAssertGreaterThan(checked, 1_000, "most generated values should end")
    }

    func testFramerStringValuesAndScalars() {
        for text in [#""a\"b\\" , "#, #""0123456789abcdef\\\\\\"x" "#, "\"\"", "-12.5e3, ", "true]"] {
            let bytes = Array(text.utf8)
            var generator = SeededGenerator(seed: 1)
            let expected: Int?
            if bytes[0] == UInt8(ascii: "\"") { expected = referenceEnd(bytes) } else {
                expected = bytes.firstIndex { ",]} \n".utf8.contains($0) }
            }
            XCTAssertEqual(framedEnd(bytes, chunkSizes: &generator, maxChunk: 100), expected, text)
        }
    }

    // MARK: Properties, id, time and role

    private enum Outcome: Equatable {
        case point(id: String, t: Int64, props: JSONObject)
        case polygon(id: String, t: Int64, role: PolygonEvent.Role, props: JSONObject, hasGeometry: Bool)
        case rejected(String)
    }

    /// The id/time/role rules applied plainly to a parsed `properties` object.
    private func reference(featureID: JSONValue?, properties: JSONObject, geometry: String, options: ReaderOptions) -> Outcome {
        var props = properties
        let fromProperties = props["id"]
        props.members.removeAll { $0.key == "id" }
        let id: String
        switch featureID ?? fromProperties {
        case .string(let text)?:
            guard !text.isEmpty else { return .rejected("id is empty") }
            id = text
        case .integer(let value)?: id = String(value)
        case .double(let value)?: id = String(describing: value)
        case nil, .null?: return .rejected("missing id (Feature \"id\" or properties.id)")
        default: return .rejected("id must be a string or a number")
        }
        var time: Int64?
        for key in ["t", "time", "timestamp"] {
            guard let value = props[key], value != .null else { continue }
            props.members.removeAll { $0.key == key }
            switch value {
            case .integer(let number): time = TimeParser.time(fromInteger: number, unit: options.timeUnit)
            case .double(let number): time = TimeParser.time(fromDouble: number, unit: options.timeUnit)
            case .string(let text): time = TimeParser.parse(text, unit: options.timeUnit)
            default: time = nil
            }
            guard time != nil else {
                return .rejected("properties.\(key): cannot read time \(GeoJSONFeatureReader.describe(value)) (expected epoch ms, epoch seconds or ISO-8601)")
            }
            break
        }
        guard let t = time ?? options.defaultTime else { return .rejected("missing time (properties.t, time or timestamp)") }
        if geometry == "point" { return .point(id: id, t: t, props: props) }
        var role = options.defaultRole
        if let value = props[options.roleProperty], value != .null {
            props.members.removeAll { $0.key == options.roleProperty }
            guard case .string(let text) = value, let parsed = PolygonEvent.Role(rawValue: text) else {
                return .rejected("properties.\(options.roleProperty): \(GeoJSONFeatureReader.describe(value)) is not \"object\" or \"fence\"")
            }
            role = parsed
        }
        if geometry == "null", role != .fence { return .rejected("Feature has a null geometry (allowed only for role fence: removal)") }
        return .polygon(id: id, t: t, role: role, props: props, hasGeometry: geometry != "null")
    }

    private func outcome(_ item: ReadItem) -> Outcome {
        switch item {
        case .event(.point(let event)): return .point(id: event.id, t: event.t, props: event.props)
        case .event(.polygon(let event)):
            return .polygon(id: event.id, t: event.t, role: event.role, props: event.props, hasGeometry: event.geometry != nil)
        case .rejected(let rejection): return .rejected(rejection.reason)
        }
    }

    func testPropertiesIDsTimesAndRolesMatchThePlainRules() throws {
        var generator = SeededGenerator(seed: 99)
        func pick<T>(_ choices: [T]) -> T { choices[Int(generator.next() % UInt64(choices.count))] }
        let keys = ["id", "t", "time", "timestamp", "role", "kind", "rôle", "name", "ti", "speed",
                    #"\u0074"#, #"\u0069d"#, #"r\u006fle"#]
        let values = ["null", "1593475200000", "1593475200.5", "\"2020-06-30T00:00:00Z\"", "\"v\"", "\"\"", "\"object\"",
                      "\"fence\"", "true", "[\"x\",1]", "{\"a\":{\"b\":null}}", "17", "\"s\\u00e9\"", "\"bad time\""]
        let geometries = ["point": #"{"type":"Point","coordinates":[1.5,2]}"#,
                          "polygon": #"{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0],[0,0]]]}"#,
                          "null": "null"]
        let optionChoices = [ReaderOptions(format: .geojsonseq), ReaderOptions(format: .geojsonseq, roleProperty: "kind"),
                             ReaderOptions(format: .geojsonseq, roleProperty: "time"),  // collides: generic handling
                             ReaderOptions(format: .geojsonseq, roleProperty: "rôle"),  // not ASCII: generic handling
                             ReaderOptions(format: .geojsonseq, defaultRole: .fence, defaultTime: 5)]
        var counts: [String: Int] = [:]
        for _ in 0..<6_000 {
            let options = pick(optionChoices)
            var members: [String] = []
            for _ in 0..<Int(generator.next() % 8) { members.append("\"\(pick(keys))\":\(pick(values))") }
            let propertiesText = pick(["{" + members.joined(separator: ",") + "}", "{" + members.joined(separator: ",") + "}", "null", ""])
            let featureIDText = pick(["", "", "\"f1\"", "\"f2\"", "42", "null", "\"\"", "[1]"])
            let geometryKind = pick(["point", "polygon", "null"])
            var parts = [#""type":"Feature""#, #""geometry":\#(geometries[geometryKind]!)"#]
            if !featureIDText.isEmpty { parts.append(#""id":\#(featureIDText)"#) }
            if !propertiesText.isEmpty { parts.append(#""properties":\#(propertiesText)"#) }
            let feature = "{" + parts.joined(separator: ",") + "}"

            let properties: JSONObject
            switch propertiesText.isEmpty ? JSONValue.null : try JSONValue(parsing: propertiesText) {
            case .object(let object): properties = object
            default: properties = JSONObject()
            }
            let featureID = featureIDText.isEmpty ? nil : try JSONValue(parsing: featureIDText)
            var expected = reference(featureID: featureID, properties: properties, geometry: geometryKind, options: options)
            if geometryKind == "point", case .polygon = expected { expected = .rejected("unreachable") }

            // Twice in one stream, so the second id comes from the interner.
            let items = try EventReader.readAll(Array((feature + "\n" + feature).utf8), options: options)
            XCTAssertEqual(items.count, 2, feature)
            for item in items { XCTAssertEqual(outcome(item), expected, "\(feature) with role property \(options.roleProperty)") }
            switch expected {
            case .point: counts["point", default: 0] += 1
            case .polygon: counts["polygon", default: 0] += 1
            case .rejected: counts["rejected", default: 0] += 1
            }
        }
        for kind in ["point", "polygon", "rejected"] { XCTAssertGreaterThan(counts[kind, default: 0], 150, kind) }
    }

    func testManyHeldMembersAndDuplicatesKeepTheirOrder() throws {
        let feature = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"a":1,"time":null,"id":"x","b":2,"role":"fence","t":7,"timestamp":"z","t":8,"role":null,"c":3,"time":9}}"#
        let items = try EventReader.readAll(Array(feature.utf8), options: ReaderOptions(format: .geojsonseq))
        XCTAssertEqual(items.points, [PointEvent(id: "x", t: 8000, point: Point(lon: 0, lat: 0), props: JSONObject([
            JSONMember("a", .integer(1)), JSONMember("time", .null), JSONMember("b", .integer(2)),
            JSONMember("role", .string("fence")), JSONMember("timestamp", .string("z")), JSONMember("role", .null),
            JSONMember("c", .integer(3)), JSONMember("time", .integer(9)),
        ]))])
    }

    func testInternedIDsStillCheckUTF8AndLength() throws {
        let good = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"id":"ok","t":1}}"#
        var bad = Array(#"{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"id":"#.utf8)
        bad += [UInt8(ascii: "\""), 0xC3, UInt8(ascii: "\"")] + Array(#","t":1}}"#.utf8)
        let input = Array(good.utf8) + [0x0A] + bad + [0x0A] + Array(good.utf8) + [0x0A] + bad
        let items = try EventReader.readAll(input, options: ReaderOptions(format: .geojsonseq))
        XCTAssertEqual(items.points.map(\.id), ["ok", "ok"])
        XCTAssertEqual(items.rejections.count, 2)
        for rejection in items.rejections { XCTAssertTrue(rejection.reason.contains("not valid UTF-8"), rejection.reason) }

        let long = #"{"type":"Feature","id":"abcdefghijklmnopqrst","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"t":1}}"#
        let limited = try EventReader.readAll(Array(long.utf8), options: ReaderOptions(format: .geojsonseq, maxStringBytes: 12))
        XCTAssertEqual(limited.rejections.map(\.reason), ["invalid JSON at byte 23: string longer than 12 bytes"])
    }

    func testTypeNamesReadTheSameWrittenPlainlyOrEscaped() throws {
        let plain = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"a","t":1}}"#
        let escaped = #"{"type":"Fe\u0061ture","geometry":{"type":"P\u006fint","coordinates":[1,2]},"properties":{"id":"a","t":1}}"#
        let options = ReaderOptions(format: .geojsonseq)
        let expected = try EventReader.readAll(Array(plain.utf8), options: options)
        XCTAssertEqual(expected.points.count, 1)
        XCTAssertEqual(try EventReader.readAll(Array(escaped.utf8), options: options), expected)
        for (type, reason) in [("Feature ", "type is 'Feature ', expected 'Feature'"), ("feature", "type is 'feature', expected 'Feature'"),
                               ("Featur", "type is 'Featur', expected 'Feature'")] {
            let text = #"{"type":"\#(type)","geometry":null,"properties":{"id":"a","t":1}}"#
            XCTAssertEqual(try EventReader.readAll(Array(text.utf8), options: options).rejections.map(\.reason), [reason])
        }
        let polygon = #"{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[0,1],[1,1],[0,0]]]]},"properties":{"id":"a","t":1}}"#
        XCTAssertEqual(try EventReader.readAll(Array(polygon.utf8), options: options).polygons.count, 1)
        let unknown = #"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]},"properties":{"id":"a","t":1}}"#
        XCTAssertEqual(try EventReader.readAll(Array(unknown.utf8), options: options).rejections.map(\.reason),
                       ["geometry type 'LineString' is not supported (Point, MultiPoint, Polygon, MultiPolygon)"])
        var badUTF8 = Array(#"{"type":"Feature","geometry":{"type":"Po"#.utf8) + [0xFF]
        badUTF8 += Array(#"nt","coordinates":[0,0]},"properties":{"id":"a","t":1}}"#.utf8)
        XCTAssertEqual(try EventReader.readAll(badUTF8, options: options).rejections.map(\.reason),
                       ["invalid JSON at byte 37: string is not valid UTF-8"])
    }

    /// Whole input parses Features in place; one byte at a time always frames them first: both must agree,
    /// on good Features, broken JSON (where in-place parsing steps aside), oversized and non-object elements.
    func testInPlaceFeaturesMatchFramedOnes() throws {
        var generator = SeededGenerator(seed: 5)
        let elements = [
            #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1.5,2]},"properties":{"id":"a","t":1}}"#,
            #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1.5,2]},"properties":{"id":"a\"}","t":1}}"#,
            #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1.5,2]},"properties":{"id":"b","t":1]}"#,
            #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1.5,2]},"properties":{"id":"c" "t":1}}"#,
            #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1.5,2]},"properties":{"id":"d","t":1,"pad":"\#(String(repeating: "x", count: 300))"}}"#,
            #"{"type":"Feature","geometry":null,"properties":{"id":"e","t":1}}"#,
            #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1.5,2]},"properties":{"id":"f","t":[[[[[1]]]]]}}"#,
            "17", "\"text\"", "[1,{\"a\":2}]", "{}",
        ]
        for round in 0..<40 {
            var picked: [String] = []
            for _ in 0..<Int(generator.next() % 12) + 1 { picked.append(elements[Int(generator.next() % UInt64(elements.count))]) }
            let text = #"{"type":"FeatureCollection","features":["# + picked.joined(separator: round % 2 == 0 ? "," : " ,\n ") + "]}"
            let options = ReaderOptions(format: .geojson, maxFeatureBytes: 250, maxDepth: 6)
            let items = try readEveryWay(Array(text.utf8), options: options)
            XCTAssertEqual(items.count, picked.count, text)
        }
    }

    func testReadDoubleMatchesReadNumber() {
        var generator = SeededGenerator(seed: 11)
        let pieces = ["0", "1", "7", "9", "-", ".", "e", "E", "+", "00", "123456789", "0.", "-0"]
        let endings = ["", ",", "]", " ", "}", "x", "\t"]
        var fast = 0
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<Int(generator.next() % 6) + 1 { text += pieces[Int(generator.next() % UInt64(pieces.count))] }
            text += endings[Int(generator.next() % UInt64(endings.count))]
            Array(text.utf8).withUnsafeBytes { bytes in
                var general = JSONScanner(bytes, limits: JSONLimits())
                var plain = JSONScanner(bytes, limits: JSONLimits())
                let expected: Result<Double, JSONSyntaxError>
                do throws(JSONSyntaxError) {
                    switch try general.readNumber() {
                    case .integer(let number): expected = .success(Double(number))
                    case .double(let number): expected = .success(number)
                    default: return XCTFail("readNumber returns only numbers")
                    }
                } catch { expected = .failure(error) }
                let result: Result<Double, JSONSyntaxError>
                do throws(JSONSyntaxError) { result = .success(try plain.readDouble()) } catch { result = .failure(error) }
                switch (result, expected) {
                case (.success(let a), .success(let b)):
                    XCTAssertEqual(a.bitPattern, b.bitPattern, text)
                    XCTAssertEqual(plain.index, general.index, text)
                    fast += 1
                case (.failure(let a), .failure(let b)): XCTAssertEqual(a, b, text)
                default: XCTFail("'\(text)': \(result) vs \(expected)")
                }
            }
        }
        XCTAssertGreaterThan(fast, 2_000)
    }

    func testPlainIntegersMatchTheGeneralNumberParser() {
        var generator = SeededGenerator(seed: 12)
        for _ in 0..<20_000 {
            var text = generator.next() % 3 == 0 ? "-" : ""
            for _ in 0..<Int(generator.next() % 21) { text += String(generator.next() % (generator.next() % 4 == 0 ? 1 : 10)) }
            Array(text.utf8).withUnsafeBytes { bytes in
                var scanner = JSONScanner(bytes, limits: JSONLimits())
                let expected = NumberParsing.parse(bytes, strict: true)
                do throws(JSONSyntaxError) {
                    let number = try scanner.readNumber()
                    XCTAssertEqual(number, expected, text)
                    XCTAssertEqual(scanner.index, bytes.count, text)
                } catch {
                    XCTAssertTrue(expected == .invalid || expected == .nonFinite, "'\(text)': \(error) vs \(expected)")
                }
            }
        }
    }

    /// Object keys are matched as bytes when plain; any key must still read as the general string reader reads it.
    func testKeysOfEveryShapeReadAsStrings() throws {
        var generator = SeededGenerator(seed: 13)
        let pieces = ["a", "coordinates", "\\\"", "\\u0041", "é", "\u{7F}", "\u{01}", "\\n", " ", "~", "0123456789"]
        for _ in 0..<3_000 {
            var key = ""
            for _ in 0..<Int(generator.next() % 5) { key += pieces[Int(generator.next() % UInt64(pieces.count))] }
            let text = "{\"" + key + "\":1}"
            let limits = JSONLimits(maxDepth: 4, maxStringBytes: Int(generator.next() % 40))
            let expected: Result<String, JSONSyntaxError> = Array(("\"" + key + "\"").utf8).withUnsafeBytes { bytes in
                var scanner = JSONScanner(bytes, limits: limits)
                do throws(JSONSyntaxError) { return .success(try scanner.readString()) } catch { return .failure(error) }
            }
            let read: Result<String, JSONSyntaxError> = Array(text.utf8).withUnsafeBytes { bytes in
                var scanner = JSONScanner(bytes, limits: limits)
                var found = ""
                do throws(JSONSyntaxError) {
                    try scanner.readObject(depth: 1) { (scanner, key) throws(JSONSyntaxError) in
                        found = key
                        _ = try scanner.readValue(depth: 1)
                    }
                    return .success(found)
                } catch { return .failure(error) }
            }
            switch (read, expected) {
            case (.success(let a), .success(let b)): XCTAssertEqual(a, b, text)
            case (.failure(let a), .failure(let b)): XCTAssertEqual(a.message, b.message, text); XCTAssertEqual(a.offset, b.offset + 1, text)
            default: XCTFail("\(text): \(read) vs \(expected)")
            }
        }
    }

    /// Ids are interned from their raw bytes when plain: any id must read as the general parser reads the string.
    func testIDStringsOfEveryShapeMatchTheGeneralParser() throws {
        var generator = SeededGenerator(seed: 14)
        let pieces = ["a", "0123456789", "\\\"", "\\u0041", "é", "\u{7F}", "\u{01}", "\\n", " ", "abcdefgh"]
        let options = ReaderOptions(format: .geojsonseq, maxStringBytes: 30)
        for _ in 0..<3_000 {
            var id = ""
            for _ in 0..<Int(generator.next() % 6) + 1 { id += pieces[Int(generator.next() % UInt64(pieces.count))] }
            let prefix = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"t":1,"id":"#
            let items = try EventReader.readAll(Array((prefix + "\"" + id + "\"}}").utf8), options: options)
            do {
                guard case .string(let expected) = try JSONValue(parsing: "\"" + id + "\"", limits: JSONLimits(maxStringBytes: 30)) else {
                    return XCTFail(id)
                }
                XCTAssertEqual(items.points.map(\.id), expected.isEmpty ? [] : [expected], id)
            } catch {
                XCTAssertEqual(items.rejections.map(\.reason), ["invalid JSON at byte \(prefix.utf8.count + error.offset): \(error.message)"], id)
            }
        }
    }

    /// Sequence records are split 8 bytes at a time: lines and offsets must be those a plain byte loop finds.
    func testSequenceRecordsSplitAsAByteLoopSplitsThem() throws {
        var generator = SeededGenerator(seed: 15)
        for _ in 0..<200 {
            var input: [UInt8] = []
            var expected: [(line: Int, offset: Int)] = []
            var line = 1
            for k in 0..<Int(generator.next() % 20) + 1 {
                let record = Array("[\(String(repeating: "x", count: Int(generator.next() % 20)))\(k)]".utf8)
                expected.append((line, input.count))
                input += record
                let separator: [UInt8] = [[0x0A], [0x1E], [0x0D, 0x0A], [0x0A, 0x1E]][Int(generator.next() % 4)]
                input += separator
                line += separator.filter { $0 == 0x0A }.count
            }
            let items = try readEveryWay(input, options: ReaderOptions(format: .geojsonseq))
            XCTAssertEqual(items.rejections.map(\.line), expected.map(\.line))
            XCTAssertEqual(items.rejections.map(\.offset), expected.map(\.offset))
        }
    }
}
