import ArgumentParser
import Foundation
import Runtime
import Transport
import Wire

/// `geostream ingest`: read events from a file or stdin and PUSH them as binary frames to a pipeline's
/// source endpoint (or write them to a frame file).
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read CSV / GeoJSON / GeoJSONSeq events and PUSH them as LZ4 frames to a pipeline.",
        discussion: """
            Reads FILE (or stdin when FILE is '-' or missing), detects the format from the first bytes \
            unless --format says, and sends batches of events as binary frames (docs/wire-format.md) on \
            a ZeroMQ PUSH socket connected to --connect. A batch closes at --batch events or 5 ms after \
            its first event, whichever comes first; points and polygons travel in separate frames. An \
            'end' frame follows the last batch. Sends block while the receiver is full or absent \
            (backpressure, nothing is dropped); at exit unsent frames get up to 30 s to leave.

            Each rejected record is one JSON line on stderr (or in --rejected FILE): \
            {"source","line","offset","reason","raw"}. Rejections do not fail the run unless --strict. \
            A summary line goes to stderr at the end; progress too while stderr is a terminal.

            With --write-frames and no --connect, frames only go to the file (u32 little-endian \
            length + frame, per frame), which `geostream inspect` decodes.

            Exit status: 0 done, 64 usage error, 65 rejected record with --strict or unreadable \
            input (a CSV header without required columns), 1 I/O error.

            Examples:
              geostream ingest samples/ais-uscoast-2020-06-30-first2000.csv
              cat positions.csv | geostream ingest --columns id=vehicle,t=ts --connect tcp://10.0.0.5:5550 -
              geostream ingest samples/ais-uscoast-sample-first1000.geojsonl --write-frames /tmp/ais.frames
            """
    )

    @Argument(help: ArgumentHelp("Input file; '-' or nothing reads stdin.", valueName: "file"))
    var file: String?

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("PUSH endpoint (default \(IngestOptions.defaultEndpoint), or none with --write-frames only).", valueName: "endpoint"))
    var connect: String?

    @Option(help: "Events per frame.")
    var batch: Int = 1_000

    @Flag(help: "Send payloads uncompressed (default: LZ4 when it shrinks them).")
    var noCompress = false

    @Option(help: ArgumentHelp("Write rejections (NDJSON) to this file instead of stderr.", valueName: "file"))
    var rejected: String?

    @Flag(help: "Stop at the first rejected record with exit status 65.")
    var strict = false

    @Option(help: ArgumentHelp("Also (or, without --connect, only) write the frames to this file.", valueName: "file"))
    var writeFrames: String?


    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        _ = try readerOptions()
        _ = try endpoint()
    }

    func run() throws {
        let options = IngestOptions(reader: try readerOptions(), batchSize: batch, compression: !noCompress, strict: strict)
        let input: Int32
        if let file, file != "-" {
            input = open(file, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else {
                note("geostream ingest: cannot read \(file): \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
        } else {
            input = STDIN_FILENO
        }
        defer { if input != STDIN_FILENO { close(input) } }

        let rejectionOutput: FileHandle
        if let rejected {
            guard FileManager.default.createFile(atPath: rejected, contents: nil), let handle = FileHandle(forWritingAtPath: rejected) else {
                note("geostream ingest: cannot create \(rejected)")
                throw ExitCode(1)
            }
            rejectionOutput = handle
        } else {
            rejectionOutput = FileHandle.standardError
        }
        var frameFile: FrameFileWriter?
        if let writeFrames {
            do {
                frameFile = try FrameFileWriter(path: writeFrames)
            } catch {
                note("geostream ingest: \(error)")
                throw ExitCode(1)
            }
        }

        let context: MessagingContext
        let socket: Socket?
        do {
            context = try MessagingContext()
            socket = try endpoint().map { endpoint throws(TransportError) in try IngestSource.pushSocket(context, connectingTo: endpoint) }
        } catch {
            note("geostream ingest: \(error)")
            throw ExitCode(1)
        }
        let showProgress = isatty(STDERR_FILENO) == 1
        var progressShown = false
        let source = IngestSource(
            options: options, socket: socket, frameFile: frameFile,
            rejections: { rejection in
                if progressShown && rejected == nil { note("") }
                progressShown = false
                rejectionOutput.write(Data((JSONWriter.render(rejection) + "\n").utf8))
            },
            progress: showProgress ? { counters in
                progressShown = true
                FileHandle.standardError.write(Data(String(
                    format: "\r%d events  %.0f events/s  %d rejected ", counters.events, counters.eventsPerSecond, counters.rejected).utf8))
            } : nil)

        var exitCode: Int32 = 0
        let counters: IngestCounters
        do {
            counters = try source.run(descriptor: input)
        } catch {
            counters = error.counters
            exitCode = error.code == .io ? 1 : 65
            if progressShown { note("") }
            progressShown = false
            note("geostream ingest: \(error.message)")
        }
        if progressShown { note("") }
        // close() keeps unsent frames for the socket's 30 s linger; terminate waits for that.
        socket?.close()
        context.terminate()
        note(String(format: "ingest: %d events (%d points, %d polygons), %d rejected, %d frames, %d bytes raw -> %d bytes sent (%.2fx), %.3f s, %.0f events/s",
                    counters.events, counters.points, counters.polygons, counters.rejected, counters.frames,
                    counters.bytesRaw, counters.bytesSent, counters.compressionRatio, counters.elapsedSeconds, counters.eventsPerSecond))
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    private func readerOptions() throws -> ReaderOptions {
        try input.readerOptions(source: (file == nil || file == "-") ? "stdin" : file!)
    }

    /// The PUSH endpoint, or nil when frames only go to --write-frames.
    private func endpoint() throws -> Endpoint? {
        if connect == nil && writeFrames != nil { return nil }
        let text = connect ?? IngestOptions.defaultEndpoint
        do {
            return try Endpoint(parsing: text)
        } catch {
            throw ValidationError("--connect: \(error)")
        }
    }
}

func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
