import ArgumentParser
import Foundation
import Runtime
import Wire

/// `geostream inspect`: decode a frame file (as written by `ingest --write-frames`) and print each
/// frame as one JSON line, for debugging the wire.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Decode a frame file and print one JSON line per frame.",
        discussion: """
            A frame file holds one record per frame: a u32 little-endian length, then the frame \
            (docs/wire-format.md). Each frame prints as {"frame","offset","kind","partition","epoch",\
            "type","count","compressed","raw_bytes","payload_bytes", then "events" (points: \
            {"id","t","lon","lat","props"}; polygons: {"id","t","role","geometry","props"} with GeoJSON \
            geometry) or "results" ({"topic","t","json"})}. --summary leaves the records out.

            A frame that fails to decode (bad magic, version, CRC, lengths) prints \
            {"frame","offset","error"} and the next frame is read; a file that ends inside a record or \
            announces an impossible length ends the listing there. The exit status is 1 if any frame \
            was bad, else 0.

            Examples:
              geostream ingest samples/ais-uscoast-sample-first1000.geojsonl --write-frames /tmp/ais.frames
              geostream inspect /tmp/ais.frames --summary
            """
    )

    @Argument(help: ArgumentHelp("Frame file; '-' reads stdin.", valueName: "framefile"))
    var file: String

    @Flag(help: "Print only the frame headers, not the records.")
    var summary = false

    func run() throws {
        let reader: FrameFileReader
        if file == "-" {
            reader = FrameFileReader(descriptor: STDIN_FILENO, owning: false)
        } else {
            do {
                reader = try FrameFileReader(path: file)
            } catch {
                note("geostream inspect: \(error.message)")
                throw ExitCode(1)
            }
        }
        let decoder = FrameDecoder()
        var frames = 0, bad = 0
        let output = FileHandle.standardOutput
        while true {
            let record: FrameFileRecord
            do {
                guard let next = try reader.next() else { break }
                record = next
            } catch {
                bad += 1
                output.write(Data((errorLine(frame: frames, offset: error.offset, message: error.description) + "\n").utf8))
                break
            }
            frames += 1
            do {
                let (header, frame) = try record.bytes.withUnsafeBytes { raw in
                    try Result { () throws(FrameError) in (try decoder.header(of: raw), try decoder.decode(raw)) }.get()
                }
                output.write(Data((render(record: record, header: header, frame: frame) + "\n").utf8))
            } catch {
                bad += 1
                output.write(Data((errorLine(frame: record.index, offset: record.offset, message: "\(error)") + "\n").utf8))
            }
        }
        note("inspect: \(frames) frames, \(bad) bad")
        if bad > 0 { throw ExitCode(1) }
    }

    private func errorLine(frame: Int, offset: Int, message: String) -> String {
        var out = "{\"frame\":\(frame),\"offset\":\(offset),\"error\":"
        JSONWriter.appendString(message, to: &out)
        return out + "}"
    }

    private func render(record: FrameFileRecord, header: FrameHeader, frame: Frame) -> String {
        var out = "{\"frame\":\(record.index),\"offset\":\(record.offset),\"kind\":\"\(frame.kind)\""
        out += ",\"partition\":\(frame.partition),\"epoch\":\(frame.epoch)"
        if let watermark = frame.watermark { out += ",\"watermark\":\(watermark)" }
        out += ",\"type\":\"\(frame.payload.type)\",\"count\":\(frame.payload.count)"
        out += ",\"compressed\":\(header.compressed),\"raw_bytes\":\(header.rawLength),\"payload_bytes\":\(header.payloadLength)"
        guard !summary else { return out + "}" }
        switch frame.payload {
        case .none:
            break
        case let .points(events):
            out += ",\"events\":[" + events.map(JSONWriter.render).joined(separator: ",") + "]"
        case let .polygons(events):
            out += ",\"events\":[" + events.map(JSONWriter.render).joined(separator: ",") + "]"
        case let .results(records):
            out += ",\"results\":["
            for (index, result) in records.enumerated() {
                if index > 0 { out += "," }
                out += "{\"topic\":"
                JSONWriter.appendString(result.topic, to: &out)
                out += ",\"t\":\(result.t),\"json\":"
                // Embedded as JSON when it is JSON, else as a string, so the line always parses.
                if let value = try? JSONValue(parsing: result.json) { JSONWriter.append(value, to: &out) } else { JSONWriter.appendString(result.json, to: &out) }
                out += "}"
            }
            out += "]"
        }
        return out + "}"
    }
}
