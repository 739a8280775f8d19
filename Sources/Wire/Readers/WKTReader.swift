public import GeoCore

/// Why WKT text could not be read, with the 0-based byte position where reading stopped.
public struct WKTError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var position: Int

    public var description: String { "WKT at byte \(position): \(message)" }
}

/// The areas a WKT text spells, before GeoCore validation (rings as given, any winding).
public enum WKTShape: Hashable, Sendable {
    /// Rings of one polygon: exterior first, then holes.
    case polygon([[Point]])
    /// Polygons, each as rings.
    case multiPolygon([[[Point]]])
    /// `POLYGON EMPTY` or `MULTIPOLYGON EMPTY` (or one with no parts).
    case empty

    /// Validated geometry (nil for `.empty`); the first rule broken is thrown.
    public func geometry() throws(GeometryError) -> Geometry? {
        switch self {
        case .empty:
            return nil
        case .polygon(let rings):
            return .polygon(try Polygon(exterior: rings[0], holes: Array(rings.dropFirst())))
        case .multiPolygon(let polygons):
            let parts = polygons.map { (exterior: $0[0], holes: Array($0.dropFirst())) }
            return .multiPolygon(try MultiPolygon(validating: parts))
        }
    }
}

/// Reads POLYGON and MULTIPOLYGON well-known text, as found in a CSV `wkt` column.
///
/// Keywords are case-insensitive; any whitespace may separate tokens; `Z`, `M` and `ZM` are accepted
/// and the extra ordinates dropped; `EMPTY` works for the whole geometry and for a MultiPolygon
/// part (skipped). Other geometry types are errors naming the type.
public struct WKTReader {
    private let text: UnsafeRawBufferPointer
    private var index = 0

    private init(_ text: UnsafeRawBufferPointer) {
        self.text = text
    }

    public static func read(_ text: UnsafeRawBufferPointer) throws(WKTError) -> WKTShape {
        var reader = WKTReader(text)
        return try reader.readGeometry()
    }

    public static func read(_ text: String) throws(WKTError) -> WKTShape {
        var copy = text
        let result: Result<WKTShape, WKTError> = copy.withUTF8 { bytes in
            do throws(WKTError) {
                return .success(try read(UnsafeRawBufferPointer(bytes)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private mutating func readGeometry() throws(WKTError) -> WKTShape {
        skipSpaces()
        let typeStart = index
        let keyword = readWord()
        let multi: Bool
        switch keyword {
        case "POLYGON": multi = false
        case "MULTIPOLYGON": multi = true
        case "": throw WKTError(message: "expected POLYGON or MULTIPOLYGON, found \(describeHere())", position: typeStart)
        default: throw WKTError(message: "geometry type \(keyword) is not supported (only POLYGON and MULTIPOLYGON)",
                                position: typeStart)
        }
        skipSpaces()
        var dimensions = 2
        let dimensionStart = index
        switch peekWord() {
        case "Z", "M": dimensions = 3; _ = readWord()
        case "ZM": dimensions = 4; _ = readWord()
        default: index = dimensionStart
        }
        skipSpaces()
        let shape: WKTShape
        if try readEmpty() {
            shape = .empty
        } else if multi {
            var polygons: [[[Point]]] = []
            try expect(UInt8(ascii: "("))
            repeat {
                skipSpaces()
                if try readEmpty() { continue }
                polygons.append(try readPolygon(dimensions: dimensions))
            } while try readCommaOrClose()
            shape = polygons.isEmpty ? .empty : .multiPolygon(polygons)
        } else {
            shape = .polygon(try readPolygon(dimensions: dimensions))
        }
        skipSpaces()
        guard index == text.count else {
            throw WKTError(message: "unexpected \(describeHere()) after the geometry", position: index)
        }
        return shape
    }

    private mutating func readPolygon(dimensions: Int) throws(WKTError) -> [[Point]] {
        var rings: [[Point]] = []
        try expect(UInt8(ascii: "("))
        repeat {
            try expect(UInt8(ascii: "("))
            var ring: [Point] = []
            repeat {
                ring.append(try readPosition(dimensions: dimensions))
            } while try readCommaOrClose()
            rings.append(ring)
        } while try readCommaOrClose()
        return rings
    }

    private mutating func readPosition(dimensions: Int) throws(WKTError) -> Point {
        let x = try readNumber()
        let y = try readNumber()
        for _ in 2..<dimensions { _ = try readNumber() }
        return Point(x: x, y: y)
    }

    private mutating func readNumber() throws(WKTError) -> Double {
        skipSpaces()
        let start = index
        while index < text.count, !isSpace(text[index]), text[index] != UInt8(ascii: ","),
              text[index] != UInt8(ascii: "("), text[index] != UInt8(ascii: ")") {
            index += 1
        }
        let token = UnsafeRawBufferPointer(rebasing: text[start..<index])
        switch NumberParsing.double(token) {
        case .double(let value): return value
        case .integer(let value): return Double(value)
        case .nonFinite:
            throw WKTError(message: "coordinate \(String(decoding: token, as: UTF8.self)) is not a finite number",
                           position: start)
        case .invalid:
            index = start
            throw WKTError(message: "expected a coordinate, found \(describeHere())", position: start)
        }
    }

    /// After an item: true on ',', false on ')', an error otherwise.
    private mutating func readCommaOrClose() throws(WKTError) -> Bool {
        skipSpaces()
        guard index < text.count else {
            throw WKTError(message: "text ends before a closing ')'", position: index)
        }
        if text[index] == UInt8(ascii: ",") { index += 1; return true }
        if text[index] == UInt8(ascii: ")") { index += 1; return false }
        throw WKTError(message: "expected ',' or ')', found \(describeHere())", position: index)
    }

    private mutating func expect(_ byte: UInt8) throws(WKTError) {
        skipSpaces()
        guard index < text.count, text[index] == byte else {
            throw WKTError(message: "expected '\(Character(Unicode.Scalar(byte)))', found \(describeHere())",
                           position: index)
        }
        index += 1
    }

    private mutating func readEmpty() throws(WKTError) -> Bool {
        let start = index
        if readWord() == "EMPTY" { return true }
        index = start
        return false
    }

    /// An upper-cased run of ASCII letters at the current position.
    private mutating func readWord() -> String {
        let start = index
        while index < text.count, (text[index] | 0x20) >= UInt8(ascii: "a"), (text[index] | 0x20) <= UInt8(ascii: "z") {
            index += 1
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<index]), as: UTF8.self).uppercased()
    }

    private mutating func peekWord() -> String {
        let start = index
        defer { index = start }
        return readWord()
    }

    private mutating func skipSpaces() {
        while index < text.count, isSpace(text[index]) { index += 1 }
    }

    private func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private func describeHere() -> String {
        guard index < text.count else { return "end of text" }
        let end = Swift.min(text.count, index + 12)
        return "'\(String(decoding: UnsafeRawBufferPointer(rebasing: text[index..<end]), as: UTF8.self))'"
    }
}
