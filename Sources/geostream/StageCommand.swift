import ArgumentParser
import Foundation
import Runtime

/// `geostream stage`: one stage of a pipeline as its own process (multi-process, multi-host).
struct StageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "Run one stage of a pipeline as its own process (for multi-process or multi-host runs).",
        discussion: """
            NAME is `source` (reads FILE or stdin and routes events), `publisher` (merges results and \
            publishes them), or a stage name from the pipeline file (with --partition for each of its \
            workers). Endpoints come from the pipeline file (each stage's `endpoints`, \
            `output.collect`, `output.endpoint`; see docs/pipeline-format.md) or from --wiring, a \
            JSON file `geostream run --processes` writes. Start the publisher and workers before \
            the source; each stage ends when the stream's end reaches it.

            Example, two hosts (harbor.yaml: a copy of pipelines/harbor-heatmap.yaml with the \
            density stage's `endpoints` on host B and `output.collect` on host A):
              host A: geostream stage publisher --pipeline harbor.yaml --out results.ndjson
              host B: geostream stage density --partition 0 --pipeline harbor.yaml
              host B: geostream stage density --partition 1 --pipeline harbor.yaml
              host A: cat samples/ais-nyharbor-2020-06-30.csv | geostream stage source --pipeline harbor.yaml
            """
    )

    @Argument(help: ArgumentHelp("source, publisher, or a stage name of the pipeline.", valueName: "name"))
    var name: String

    @Argument(help: ArgumentHelp("Input file for the source; '-' or nothing reads stdin.", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("The pipeline file (YAML).", valueName: "pipeline"))
    var pipeline: String

    @Option(help: "Which worker of the stage (0-based).")
    var partition: Int = 0

    @Option(help: ArgumentHelp("Endpoints from this JSON file instead of the pipeline file.", valueName: "file"))
    var wiring: String?

    @Option(help: ArgumentHelp("publisher: also write every result to this NDJSON file.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("source: event time per wall time (replay pacing); default as fast as possible.", valueName: "factor"))
    var speed: Double?

    @Option(help: ArgumentHelp("Every stage has this many workers instead of the file's partition.workers (all stages must agree).", valueName: "n"))
    var workers: Int?

    @Option(help: .hidden)
    var supervised: Int32?

    @Flag(help: "No summary on stderr.")
    var quiet = false

    func run() throws {
        let fileSpec = try loadPipeline(pipeline, command: "stage")
        let spec = workers.map { fileSpec.withWorkers($0) } ?? fileSpec
        StopSignal.install()
        if let supervised { StopSignal.exitWhenParentDies(parent: supervised) }
        let resolvedWiring: Wiring
        do {
            resolvedWiring = try wiring.map { try Wiring.read(from: $0) } ?? Wiring.fromFile(spec)
        } catch {
            note("geostream stage: cannot read --wiring \(wiring ?? ""): \(error)")
            throw ExitCode(1)
        }
        guard StageRunner.stageNames(spec).contains(name) else {
            note("geostream stage: no stage '\(name)' in pipeline \(spec.name); stages: \(StageRunner.stageNames(spec).joined(separator: ", "))")
            throw ExitCode(64)
        }
        var options = StageRunner.Options()
        options.outPath = out
        options.source.speed = speed
        var descriptor = STDIN_FILENO
        if name == StageRunner.sourceName, file == nil, let endpoint = spec.input.endpoint {
            options.inputEndpoint = endpoint
            options.source.sourceName = endpoint
        } else if name == StageRunner.sourceName {
            let input = try openInput(file, command: "stage")
            descriptor = input.descriptor
            options.source.sourceName = input.name
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        do {
            let summary = try StageRunner.run(spec, stage: name, partition: partition, wiring: resolvedWiring, descriptor: descriptor, options: options)
            if !quiet && name == StageRunner.sourceName {
                note("geostream stage source: \(summary.source.events) events (\(summary.source.late) late, \(summary.source.rejected) rejected) in \(String(format: "%.2f", summary.elapsedSeconds)) s")
            }
        } catch let error as StrictRejectionError {
            note("geostream stage \(name): \(error)")
            throw ExitCode(65)
        } catch {
            note("geostream stage \(name)\(name == StageRunner.sourceName || name == StageRunner.publisherName ? "" : " partition \(partition)"): \(error)")
            throw ExitCode(1)
        }
    }
}
