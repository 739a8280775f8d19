import Foundation
import GeoCore

/// One position read from a CSV file.
struct PositionRecord {
    var id: String
    var time: Int64
    var point: Point
}

/// A rejected CSV line: where it was, why, and the raw text cut to 200 bytes.
struct RejectedRecord: CustomStringConvertible {
    var source: String
    var line: Int
    var reason: String
    var raw: String

    var description: String { "\(source):\(line): \(reason): \(raw)" }
}

/// Reads `id,t,lon,lat` CSV (header row required, columns found by name, extra columns ignored).
///
/// This is deliberately small: it serves `geostream index` until the Wire target's full reader
/// (quoting, column mapping, ISO-8601 times, GeoJSON) replaces it. Quoted fields are not supported;
/// a line with a quote is rejected rather than misread. `t` is epoch milliseconds.
enum PointCSVReader {
    struct FileError: Error, CustomStringConvertible {
        var description: String
    }

    static func read(path: String) throws -> (records: [PositionRecord], rejected: [RejectedRecord]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FileError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let header = lines.popFirst() else { throw FileError(description: "\(path) is empty") }
        let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        func column(_ name: String) throws -> Int {
            guard let index = columns.firstIndex(of: name) else {
                throw FileError(description: "\(path): header has no '\(name)' column (found: \(columns.joined(separator: ",")))")
            }
            return index
        }
        let idColumn = try column("id"), timeColumn = try column("t")
        let lonColumn = try column("lon"), latColumn = try column("lat")

        var records: [PositionRecord] = []
        var rejected: [RejectedRecord] = []
        records.reserveCapacity(lines.count)
        for (offset, rawLine) in lines.enumerated() {
            let lineNumber = offset + 2
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty { continue }
            func reject(_ reason: String) {
                rejected.append(RejectedRecord(source: path, line: lineNumber, reason: reason, raw: String(line.prefix(200))))
            }
            if line.contains("\"") { reject("quoted fields are not supported by this reader"); continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns.count else {
                reject("expected \(columns.count) fields, found \(fields.count)"); continue
            }
            let id = String(fields[idColumn])
            guard !id.isEmpty else { reject("missing id"); continue }
            guard let time = Int64(fields[timeColumn]) else { reject("t is not an integer (epoch ms): '\(fields[timeColumn])'"); continue }
            guard let lon = Double(fields[lonColumn]), lon.isFinite, (-180...180).contains(lon) else {
                reject("lon must be a number in [-180, 180]: '\(fields[lonColumn])'"); continue
            }
            guard let lat = Double(fields[latColumn]), lat.isFinite, (-90...90).contains(lat) else {
                reject("lat must be a number in [-90, 90]: '\(fields[latColumn])'"); continue
            }
            records.append(PositionRecord(id: id, time: time, point: Point(lon: lon, lat: lat)))
        }
        return (records, rejected)
    }
}
