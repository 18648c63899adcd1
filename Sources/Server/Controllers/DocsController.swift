import Foundation
import Hummingbird

/// `GET /docs`: the API document for a person, a page (`static/docs.html`) that renders
/// `/openapi.json` in the browser. A route rather than a folder's index, so `/docs` answers as is.
struct DocsController: Sendable {
    let staticFolder: String

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/docs") { _, _ in try page() }
    }

    func page() throws -> Response {
        let path = URL(fileURLWithPath: staticFolder).appendingPathComponent("docs.html").path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIError(.notFound, "The API page is missing from the static folder (\(staticFolder)/docs.html); reinstall static/.")
        }
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
