import ArgumentParser
import Foundation
import Runtime

/// Options shared by `run` and `replay`: where results go and how the stages are laid out.
struct PipelineRunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also write every result (all topics but stats) to this NDJSON file.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("Publish results on this endpoint instead of the pipeline's output.endpoint.", valueName: "endpoint"))
    var publish: String?

    @Flag(help: "Run every stage as its own child process, linked over tcp loopback (default: one process, threads over inproc).")
    var processes = false

    @Option(help: ArgumentHelp("Run every stage with this many workers instead of the file's partition.workers (results do not change).", valueName: "n"))
    var workers: Int?

    @Flag(help: "No progress or summary on stderr.")
    var quiet = false

    func validate() throws {
        if let workers, !(1...64).contains(workers) { throw ValidationError("--workers must be 1...64, got \(workers)") }
    }
}

/// Loads a pipeline file, printing the loader's `file:line: key: message` error and exiting 65.
func loadPipeline(_ path: String, command: String) throws -> PipelineSpec {
    do {
        return try PipelineLoader.load(path: path)
    } catch {
        note("geostream \(command): \(error)")
        throw ExitCode(65)
    }
}

/// The running executable, for `--processes` children (they run the same binary).
func currentExecutable() -> String {
    let link = "/proc/self/exe"
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: link) { return resolved }
    return CommandLine.arguments[0]
}

/// Opens the input argument: a file, or stdin for nil / `-`.
func openInput(_ file: String?, command: String) throws -> (descriptor: Int32, name: String) {
    guard let file, file != "-" else { return (STDIN_FILENO, "stdin") }
    let descriptor = open(file, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        note("geostream \(command): cannot read \(file): \(String(cString: strerror(errno)))")
        throw ExitCode(1)
    }
    return (descriptor, file)
}

/// Runs a pipeline in the chosen mode and prints the summary; shared by `run` and `replay`.
func runPipeline(_ fileSpec: PipelineSpec, pipelinePath: String, input: String?, speed: Double?, options: PipelineRunOptions, command: String) throws {
    let spec = options.workers.map { fileSpec.withWorkers($0) } ?? fileSpec
    StopSignal.install()
    let showProgress = !options.quiet && isatty(STDERR_FILENO) == 1
    if options.processes {
        var processOptions = ProcessPipeline.Options(executable: currentExecutable())
        processOptions.inputPath = input == "-" ? nil : input
        processOptions.outPath = options.out.map { URL(fileURLWithPath: $0).path }
        processOptions.publishEndpoint = options.publish
        if let speed { processOptions.sourceArguments += ["--speed", String(speed)] }
        if options.quiet { processOptions.sourceArguments += ["--quiet"] }
        if let workers = options.workers { processOptions.stageArguments += ["--workers", String(workers)] }
        let started = Date()
        do {
            try ProcessPipeline.run(spec, pipelinePath: pipelinePath, options: processOptions)
        } catch let error as StageExitError {
            note("geostream \(command): \(error)")
            throw ExitCode(error.status == 65 ? 65 : 1)
        } catch {
            note("geostream \(command): \(error)")
            throw ExitCode(1)
        }
        if !options.quiet {
            note("geostream \(command): pipeline \(spec.name) ran as \(2 + spec.stages.reduce(0) { $0 + $1.partition.workers }) processes in \(String(format: "%.2f", Date().timeIntervalSince(started))) s\(options.out.map { "; results in \($0)" } ?? "")")
        }
        if StopSignal.isRequested { throw ExitCode(130) }
        return
    }

    let fromEndpoint = input == nil ? spec.input.endpoint : nil
    let (descriptor, name) = try fromEndpoint.map { (STDIN_FILENO, $0) } ?? openInput(input, command: command)
    defer { if descriptor != STDIN_FILENO { close(descriptor) } }
    var embedded = EmbeddedPipeline.Options()
    embedded.outPath = options.out
    embedded.publishEndpoint = options.publish
    embedded.source.sourceName = name
    embedded.source.speed = speed
    embedded.inputEndpoint = fromEndpoint
    if showProgress {
        embedded.source.progress = { counters in
            FileHandle.standardError.write(Data("\r\(counters.events) events read, \(counters.late) late, \(counters.rejected) rejected   ".utf8))
        }
    }
    let summary: RunSummary
    do {
        summary = try EmbeddedPipeline.run(spec, descriptor: descriptor, options: embedded)
    } catch let error as StrictRejectionError {
        if showProgress { note("") }
        note("geostream \(command): \(error)")
        throw ExitCode(65)
    } catch {
        if showProgress { note("") }
        note("geostream \(command): \(error)")
        throw ExitCode(1)
    }
    if showProgress { note("") }
    if !options.quiet { note(summaryLine(spec, summary, publish: summary.publisher.endpoint, out: options.out, command: command)) }
    if StopSignal.isRequested { throw ExitCode(130) }
}

func summaryLine(_ spec: PipelineSpec, _ summary: RunSummary, publish: String, out: String?, command: String) -> String {
    let source = summary.source
    let rate = summary.elapsedSeconds > 0 ? Double(source.events) / summary.elapsedSeconds : 0
    let topics = summary.publisher.byTopic.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    var line = "geostream \(command): pipeline \(spec.name): \(source.events) events (\(source.late) late, \(source.rejected) rejected) "
    line += "in \(String(format: "%.2f", summary.elapsedSeconds)) s (\(Int(rate)) events/s); "
    line += "published \(summary.publisher.published) results\(topics.isEmpty ? "" : " (\(topics))") on \(publish)"
    if let out { line += "; written to \(out)" }
    return line
}
