import Foundation

/// Whether the JSON object `json` has a member for each stored property of `value`: for a type
/// that lists its JSON members by hand (`JSONMembersWritable`), written with every property set,
/// false means one was left out. False as well when `json` is not an object.
public func jsonObject(_ json: String, coversEveryPropertyOf value: Any) -> Bool {
    guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return false }
    return jsonObject(object, coversEveryPropertyOf: value)
}

/// Whether the parsed JSON object `object` has a member for each stored property of `value`.
public func jsonObject(_ object: [String: Any], coversEveryPropertyOf value: Any) -> Bool {
    object.count == Mirror(reflecting: value).children.count
}
