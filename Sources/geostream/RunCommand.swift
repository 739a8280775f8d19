import ArgumentParser
import Runtime

/// `geostream run`: the product — a pipeline file over a stream, results on topics.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline over a stream from a file or stdin and publish its results.",
        discussion: """
            Reads CSV, GeoJSON or GeoJSONSeq events from FILE (or stdin), runs every stage of the \
            pipeline file (docs/pipeline-format.md) over them by event time, and publishes results \
            on the pipeline's output.endpoint (ZeroMQ PUB; `geostream subscribe` prints them). \
            --out also writes every result to an NDJSON file. At end of input every window is \
            evaluated and the run ends once everything is published.

            By default every stage runs in this process on its own thread (embedded mode). With \
            --processes every stage is its own child process linked over tcp loopback, supervised; \
            results are identical (docs/runtime.md says why). To spread stages over hosts, run \
            `geostream stage` on each.

            Ctrl-C ends the input: windows are flushed and published, then the run exits with 130.
            Exit status: 0 done, 65 invalid pipeline or a rejected record with input.strict, 1 error.

            Examples:
              geostream run pipelines/quickstart.yaml samples/ais-uscoast-2020-06-30-first2000.csv --out results.ndjson
              cat samples/ais-nyharbor-2020-06-30.csv | geostream run pipelines/harbor-heatmap.yaml --workers 3
              geostream run pipelines/quickstart.yaml samples/ais-uscoast-2020-06-30-first2000.csv --processes
            """
    )

    @Argument(help: ArgumentHelp("The pipeline file (YAML).", valueName: "pipeline"))
    var pipeline: String

    @Argument(help: ArgumentHelp("Input file; '-' reads stdin. Nothing: the pipeline's input.endpoint if it has one (producers push to it with `geostream ingest --connect`), else stdin.", valueName: "file"))
    var file: String?

    @OptionGroup var options: PipelineRunOptions

    func run() throws {
        let spec = try loadPipeline(pipeline, command: "run")
        try runPipeline(spec, pipelinePath: pipeline, input: file, speed: nil, options: options, command: "run")
    }
}

/// `geostream replay`: a recorded stream paced by its event times.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded stream through a pipeline, paced by its event times.",
        discussion: """
            Like `run`, but the source waits between events so event time passes --speed times \
            faster than the wall clock (1x: real time; 10x; max: no waiting). Pacing changes when \
            results appear, never what they are: a replay gives the same results as `run`.

            Examples:
              geostream replay samples/ais-uscoast-2020-06-30-first2000.csv --pipeline pipelines/quickstart.yaml --speed 60x
              geostream replay samples/ais-nyharbor-2020-06-30.csv --pipeline pipelines/harbor-heatmap.yaml --speed max --out results.ndjson
            """
    )

    @Argument(help: ArgumentHelp("The recorded stream.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The pipeline file (YAML).", valueName: "pipeline"))
    var pipeline: String

    @Option(help: ArgumentHelp("Event time per wall time: 1x, 10x, 0.5x, or max.", valueName: "speed"))
    var speed: String = "1x"

    @OptionGroup var options: PipelineRunOptions

    func validate() throws { _ = try parsedSpeed() }

    func parsedSpeed() throws -> Double? {
        if speed == "max" { return nil }
        guard speed.hasSuffix("x"), let value = Double(speed.dropLast()), value > 0, value.isFinite else {
            throw ValidationError("--speed takes 1x, 10x, 0.5x or max; got '\(speed)'")
        }
        return value
    }

    func run() throws {
        let spec = try loadPipeline(pipeline, command: "replay")
        try runPipeline(spec, pipelinePath: pipeline, input: file, speed: try parsedSpeed(), options: options, command: "replay")
    }
}
