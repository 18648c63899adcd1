import Arena
import Foundation
import Hummingbird

/// `/api/seasons`: the seasons of `arena serve --seasons-dir` (each a folder written by
/// `arena season run`), their `results.json` and their reports.
struct SeasonsController: Sendable {
    let catalog: SeasonCatalog

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/api/seasons") { _, _ in try list() }
        router.get("/api/seasons/{name}") { _, context in try results(context.parameters.get("name") ?? "") }
        router.get("/api/seasons/{name}/report.html") { _, context in
            try file(context.parameters.get("name") ?? "", SeasonArtifacts.reportFile, type: "text/html; charset=utf-8")
        }
        router.get("/api/seasons/{name}/report.png") { _, context in
            try file(context.parameters.get("name") ?? "", SeasonArtifacts.chartFile, type: "image/png")
        }
    }

    struct ListBody: Encodable { let seasons: [SeasonCatalog.Listing] }

    func list() throws -> JSONResponse {
        try JSONResponse(ListBody(seasons: catalog.seasons().map(SeasonCatalog.listing)))
    }

    func results(_ name: String) throws -> Response {
        let season = try Self.season(named: name, in: catalog)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: season.results)))
    }

    /// A report file of a season; the report page may load nothing from anywhere.
    func file(_ name: String, _ file: String, type: String) throws -> Response {
        let season = try Self.season(named: name, in: catalog)
        guard let data = try? Data(contentsOf: season.folder.appendingPathComponent(file)) else {
            throw APIError(.notFound, "Season \(name) has no \(file); rewrite its report with arena season rerun.")
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache",
                                               .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The season named `name`.
    /// - Throws: `APIError` 400 for a name no season can have, 404 when there is none of that name.
    static func season(named name: String, in catalog: SeasonCatalog) throws -> SeasonCatalog.Season {
        guard SeasonCatalog.isValidName(name) else {
            throw APIError(.badRequest, "A season name is 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'.")
        }
        guard let season = catalog.season(named: name) else {
            throw APIError(.notFound, "No season \(name); GET /api/seasons lists them.")
        }
        return season
    }
}
