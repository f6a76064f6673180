// The nested JSON Schema both grammar benches constrain to (an object with nested objects and arrays).
export const SCHEMA = {
  type: "object",
  properties: {
    id: { type: "integer", minimum: 1, maximum: 99999 },
    owner: {
      type: "object",
      properties: {
        name: { type: "string", maxLength: 16 },
        admin: { type: "boolean" },
        tags: { type: "array", items: { enum: ["a", "b", "ops"] }, maxItems: 3 },
      },
      required: ["name", "admin"],
    },
    items: {
      type: "array",
      items: {
        type: "object",
        properties: {
          sku: { type: "string", pattern: "^[A-Z]{3}[0-9]{2}$" },
          qty: { type: "integer", minimum: 1, maximum: 20 },
          price: { type: "number", minimum: 0, maximum: 1000 },
        },
        required: ["sku", "qty"],
      },
      maxItems: 3,
    },
  },
  required: ["id", "owner", "items"],
};
