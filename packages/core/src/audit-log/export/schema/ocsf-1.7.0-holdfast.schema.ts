// Our own JSON Schema (draft 2020-12) for the OCSF 1.7.0 events Holdfast exports — see its $comment
// for the OCSF definitions it was derived from. A TypeScript module, not a .json file: every runtime
// that loads core (Node ESM, Next, Playwright) can import it without JSON import attributes.
export const ocsfExportJsonSchema: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://holdfast.invalid/schemas/ocsf-1.7.0-holdfast.schema.json',
  title: 'Holdfast audit export: the OCSF 1.7.0 events Holdfast emits',
  $comment:
    'Our own JSON Schema (not published by OCSF) for the subset of OCSF 1.7.0 that `holdfast audit export --format ocsf` emits: classes Authentication (3002), Account Change (3001), Entity Management (3004) and Base Event (0), and the objects metadata, product, user, auth_factor, service, network_endpoint, managed_entity, key_value_object. Derived (read, not copied) from ocsf/ocsf-schema v1.7.0: events/base_event.json (required classification/occurrence attributes), events/iam/iam.json, events/iam/authentication.json (activity_id 1-7, user required, at_least_one of service/dst_endpoint), events/iam/account_change.json (activity_id 1-12, user required, auth_factors), events/iam/entity_management.json (activity_id 1-13, entity required), objects/metadata.json (product and version required), objects/product.json, objects/user.json (type_id enum, at_least_one of account/name/uid), objects/auth_factor.json (factor_type_id required), objects/service.json, objects/managed_entity.json + objects/_entity.json (at_least_one of name/uid), objects/network_endpoint.json, objects/key_value_object.json, dictionary.json (enums: severity_id, status_id, factor_type_id; types: timestamp_t = epoch milliseconds, integer_t, string_t). Stricter than OCSF on purpose: unknown attributes are refused (unevaluatedProperties: false) outside `unmapped`, sibling captions must match their ids, and type_uid must equal class_uid * 100 + activity_id — so a broken mapping fails validation.',
  oneOf: [
    {
      $ref: '#/$defs/authentication',
    },
    {
      $ref: '#/$defs/account_change',
    },
    {
      $ref: '#/$defs/entity_management',
    },
    {
      $ref: '#/$defs/base_event',
    },
  ],
  $defs: {
    timestamp_t: {
      type: 'integer',
      minimum: 0,
      $comment: 'dictionary timestamp_t: milliseconds since the Unix epoch',
    },
    severity_pairs: {
      oneOf: [
        {
          properties: {
            severity_id: {
              const: 0,
            },
            severity: {
              const: 'Unknown',
            },
          },
        },
        {
          properties: {
            severity_id: {
              const: 1,
            },
            severity: {
              const: 'Informational',
            },
          },
        },
        {
          properties: {
            severity_id: {
              const: 2,
            },
            severity: {
              const: 'Low',
            },
          },
        },
        {
          properties: {
            severity_id: {
              const: 3,
            },
            severity: {
              const: 'Medium',
            },
          },
        },
        {
          properties: {
            severity_id: {
              const: 4,
            },
            severity: {
              const: 'High',
            },
          },
        },
        {
          properties: {
            severity_id: {
              const: 5,
            },
            severity: {
              const: 'Critical',
            },
          },
        },
        {
          properties: {
            severity_id: {
              const: 6,
            },
            severity: {
              const: 'Fatal',
            },
          },
        },
        {
          properties: {
            severity_id: {
              const: 99,
            },
          },
        },
      ],
    },
    status_pairs: {
      if: {
        required: ['status_id'],
      },
      then: {
        oneOf: [
          {
            properties: {
              status_id: {
                const: 0,
              },
              status: {
                const: 'Unknown',
              },
            },
          },
          {
            properties: {
              status_id: {
                const: 1,
              },
              status: {
                const: 'Success',
              },
            },
          },
          {
            properties: {
              status_id: {
                const: 2,
              },
              status: {
                const: 'Failure',
              },
            },
          },
          {
            properties: {
              status_id: {
                const: 99,
              },
            },
          },
        ],
      },
    },
    key_value_object: {
      type: 'object',
      required: ['name'],
      properties: {
        name: {
          type: 'string',
          minLength: 1,
        },
        value: {
          type: 'string',
        },
      },
      additionalProperties: false,
    },
    product: {
      type: 'object',
      required: ['name', 'vendor_name'],
      properties: {
        name: {
          type: 'string',
        },
        vendor_name: {
          type: 'string',
        },
        version: {
          type: 'string',
        },
        uid: {
          type: 'string',
        },
        feature: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
            },
            uid: {
              type: 'string',
            },
            version: {
              type: 'string',
            },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    metadata: {
      type: 'object',
      required: ['product', 'version'],
      properties: {
        version: {
          const: '1.7.0',
        },
        product: {
          $ref: '#/$defs/product',
        },
        uid: {
          type: 'string',
        },
        event_code: {
          type: 'string',
        },
        log_name: {
          type: 'string',
        },
        log_provider: {
          type: 'string',
        },
        sequence: {
          type: 'integer',
          minimum: 0,
        },
        correlation_uid: {
          type: 'string',
        },
        labels: {
          type: 'array',
          items: {
            type: 'string',
          },
        },
        tags: {
          type: 'array',
          items: {
            $ref: '#/$defs/key_value_object',
          },
        },
      },
      additionalProperties: false,
    },
    user: {
      type: 'object',
      properties: {
        uid: {
          type: 'string',
          minLength: 1,
        },
        name: {
          type: 'string',
          minLength: 1,
        },
        type_id: {
          enum: [0, 1, 2, 3, 4, 99],
        },
        type: {
          type: 'string',
        },
      },
      anyOf: [
        {
          required: ['uid'],
        },
        {
          required: ['name'],
        },
        {
          required: ['account'],
        },
      ],
      allOf: [
        {
          if: {
            required: ['type_id'],
          },
          then: {
            oneOf: [
              {
                properties: {
                  type_id: {
                    const: 0,
                  },
                  type: {
                    const: 'Unknown',
                  },
                },
              },
              {
                properties: {
                  type_id: {
                    const: 1,
                  },
                  type: {
                    const: 'User',
                  },
                },
              },
              {
                properties: {
                  type_id: {
                    const: 2,
                  },
                  type: {
                    const: 'Admin',
                  },
                },
              },
              {
                properties: {
                  type_id: {
                    const: 3,
                  },
                  type: {
                    const: 'System',
                  },
                },
              },
              {
                properties: {
                  type_id: {
                    const: 4,
                  },
                  type: {
                    const: 'Service',
                  },
                },
              },
              {
                properties: {
                  type_id: {
                    const: 99,
                  },
                },
              },
            ],
          },
        },
      ],
      unevaluatedProperties: false,
    },
    auth_factor: {
      type: 'object',
      required: ['factor_type_id'],
      properties: {
        factor_type_id: {
          enum: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99],
        },
        factor_type: {
          type: 'string',
        },
        provider: {
          type: 'string',
        },
        is_totp: {
          type: 'boolean',
        },
        is_hotp: {
          type: 'boolean',
        },
      },
      allOf: [
        {
          oneOf: [
            {
              properties: {
                factor_type_id: {
                  const: 0,
                },
                factor_type: {
                  const: 'Unknown',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 1,
                },
                factor_type: {
                  const: 'SMS',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 2,
                },
                factor_type: {
                  const: 'Security Question',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 3,
                },
                factor_type: {
                  const: 'Phone Call',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 4,
                },
                factor_type: {
                  const: 'Biometric',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 5,
                },
                factor_type: {
                  const: 'Push Notification',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 6,
                },
                factor_type: {
                  const: 'Hardware Token',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 7,
                },
                factor_type: {
                  const: 'OTP',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 8,
                },
                factor_type: {
                  const: 'Email',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 9,
                },
                factor_type: {
                  const: 'U2F',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 10,
                },
                factor_type: {
                  const: 'WebAuthn',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 11,
                },
                factor_type: {
                  const: 'Password',
                },
              },
            },
            {
              properties: {
                factor_type_id: {
                  const: 99,
                },
              },
            },
          ],
        },
      ],
      unevaluatedProperties: false,
    },
    service: {
      type: 'object',
      properties: {
        name: {
          type: 'string',
        },
        uid: {
          type: 'string',
        },
        version: {
          type: 'string',
        },
        labels: {
          type: 'array',
          items: {
            type: 'string',
          },
        },
      },
      anyOf: [
        {
          required: ['name'],
        },
        {
          required: ['uid'],
        },
      ],
      additionalProperties: false,
    },
    network_endpoint: {
      type: 'object',
      properties: {
        uid: {
          type: 'string',
        },
        name: {
          type: 'string',
        },
        hostname: {
          type: 'string',
        },
        ip: {
          type: 'string',
        },
        port: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
        },
      },
      anyOf: [
        {
          required: ['ip'],
        },
        {
          required: ['uid'],
        },
        {
          required: ['name'],
        },
        {
          required: ['hostname'],
        },
      ],
      additionalProperties: false,
    },
    managed_entity: {
      type: 'object',
      properties: {
        uid: {
          type: 'string',
        },
        name: {
          type: 'string',
        },
        type: {
          type: 'string',
        },
        version: {
          type: 'string',
        },
        data: {
          type: 'object',
        },
      },
      anyOf: [
        {
          required: ['name'],
        },
        {
          required: ['uid'],
        },
      ],
      additionalProperties: false,
    },
    authentication: {
      title: 'Authentication (3002)',
      type: 'object',
      required: ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid', 'user'],
      properties: {
        class_uid: {
          const: 3002,
        },
        class_name: {
          const: 'Authentication',
        },
        category_uid: {
          const: 3,
        },
        category_name: {
          const: 'Identity & Access Management',
        },
        activity_id: {
          type: 'integer',
        },
        activity_name: {
          type: 'string',
        },
        type_uid: {
          type: 'integer',
        },
        type_name: {
          type: 'string',
        },
        time: {
          $ref: '#/$defs/timestamp_t',
        },
        timezone_offset: {
          type: 'integer',
          minimum: -1080,
          maximum: 1080,
        },
        severity_id: {
          enum: [0, 1, 2, 3, 4, 5, 6, 99],
        },
        severity: {
          type: 'string',
        },
        status_id: {
          enum: [0, 1, 2, 99],
        },
        status: {
          type: 'string',
        },
        status_code: {
          type: 'string',
        },
        status_detail: {
          type: 'string',
        },
        message: {
          type: 'string',
        },
        metadata: {
          $ref: '#/$defs/metadata',
        },
        unmapped: {
          type: 'object',
        },
        user: {
          $ref: '#/$defs/user',
        },
        auth_factors: {
          type: 'array',
          minItems: 1,
          items: {
            $ref: '#/$defs/auth_factor',
          },
        },
        is_mfa: {
          type: 'boolean',
        },
        service: {
          $ref: '#/$defs/service',
        },
        dst_endpoint: {
          $ref: '#/$defs/network_endpoint',
        },
        src_endpoint: {
          $ref: '#/$defs/network_endpoint',
        },
      },
      allOf: [
        {
          oneOf: [
            {
              properties: {
                activity_id: {
                  const: 0,
                },
                type_uid: {
                  const: 300200,
                },
                activity_name: {
                  const: 'Unknown',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 1,
                },
                type_uid: {
                  const: 300201,
                },
                activity_name: {
                  const: 'Logon',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 2,
                },
                type_uid: {
                  const: 300202,
                },
                activity_name: {
                  const: 'Logoff',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 3,
                },
                type_uid: {
                  const: 300203,
                },
                activity_name: {
                  const: 'Authentication Ticket',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 4,
                },
                type_uid: {
                  const: 300204,
                },
                activity_name: {
                  const: 'Service Ticket Request',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 5,
                },
                type_uid: {
                  const: 300205,
                },
                activity_name: {
                  const: 'Service Ticket Renew',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 6,
                },
                type_uid: {
                  const: 300206,
                },
                activity_name: {
                  const: 'Preauth',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 7,
                },
                type_uid: {
                  const: 300207,
                },
                activity_name: {
                  const: 'Account Switch',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 99,
                },
                type_uid: {
                  const: 300299,
                },
              },
            },
          ],
        },
        {
          $ref: '#/$defs/severity_pairs',
        },
        {
          $ref: '#/$defs/status_pairs',
        },
        {
          anyOf: [
            {
              required: ['service'],
            },
            {
              required: ['dst_endpoint'],
            },
          ],
        },
      ],
      unevaluatedProperties: false,
    },
    account_change: {
      title: 'Account Change (3001)',
      type: 'object',
      required: ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid', 'user'],
      properties: {
        class_uid: {
          const: 3001,
        },
        class_name: {
          const: 'Account Change',
        },
        category_uid: {
          const: 3,
        },
        category_name: {
          const: 'Identity & Access Management',
        },
        activity_id: {
          type: 'integer',
        },
        activity_name: {
          type: 'string',
        },
        type_uid: {
          type: 'integer',
        },
        type_name: {
          type: 'string',
        },
        time: {
          $ref: '#/$defs/timestamp_t',
        },
        timezone_offset: {
          type: 'integer',
          minimum: -1080,
          maximum: 1080,
        },
        severity_id: {
          enum: [0, 1, 2, 3, 4, 5, 6, 99],
        },
        severity: {
          type: 'string',
        },
        status_id: {
          enum: [0, 1, 2, 99],
        },
        status: {
          type: 'string',
        },
        status_code: {
          type: 'string',
        },
        status_detail: {
          type: 'string',
        },
        message: {
          type: 'string',
        },
        metadata: {
          $ref: '#/$defs/metadata',
        },
        unmapped: {
          type: 'object',
        },
        user: {
          $ref: '#/$defs/user',
        },
        auth_factors: {
          type: 'array',
          minItems: 1,
          items: {
            $ref: '#/$defs/auth_factor',
          },
        },
      },
      allOf: [
        {
          oneOf: [
            {
              properties: {
                activity_id: {
                  const: 0,
                },
                type_uid: {
                  const: 300100,
                },
                activity_name: {
                  const: 'Unknown',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 1,
                },
                type_uid: {
                  const: 300101,
                },
                activity_name: {
                  const: 'Create',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 2,
                },
                type_uid: {
                  const: 300102,
                },
                activity_name: {
                  const: 'Enable',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 3,
                },
                type_uid: {
                  const: 300103,
                },
                activity_name: {
                  const: 'Password Change',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 4,
                },
                type_uid: {
                  const: 300104,
                },
                activity_name: {
                  const: 'Password Reset',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 5,
                },
                type_uid: {
                  const: 300105,
                },
                activity_name: {
                  const: 'Disable',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 6,
                },
                type_uid: {
                  const: 300106,
                },
                activity_name: {
                  const: 'Delete',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 7,
                },
                type_uid: {
                  const: 300107,
                },
                activity_name: {
                  const: 'Attach Policy',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 8,
                },
                type_uid: {
                  const: 300108,
                },
                activity_name: {
                  const: 'Detach Policy',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 9,
                },
                type_uid: {
                  const: 300109,
                },
                activity_name: {
                  const: 'Lock',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 10,
                },
                type_uid: {
                  const: 300110,
                },
                activity_name: {
                  const: 'MFA Factor Enable',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 11,
                },
                type_uid: {
                  const: 300111,
                },
                activity_name: {
                  const: 'MFA Factor Disable',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 12,
                },
                type_uid: {
                  const: 300112,
                },
                activity_name: {
                  const: 'Unlock',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 99,
                },
                type_uid: {
                  const: 300199,
                },
              },
            },
          ],
        },
        {
          $ref: '#/$defs/severity_pairs',
        },
        {
          $ref: '#/$defs/status_pairs',
        },
      ],
      unevaluatedProperties: false,
    },
    entity_management: {
      title: 'Entity Management (3004)',
      type: 'object',
      required: ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid', 'entity'],
      properties: {
        class_uid: {
          const: 3004,
        },
        class_name: {
          const: 'Entity Management',
        },
        category_uid: {
          const: 3,
        },
        category_name: {
          const: 'Identity & Access Management',
        },
        activity_id: {
          type: 'integer',
        },
        activity_name: {
          type: 'string',
        },
        type_uid: {
          type: 'integer',
        },
        type_name: {
          type: 'string',
        },
        time: {
          $ref: '#/$defs/timestamp_t',
        },
        timezone_offset: {
          type: 'integer',
          minimum: -1080,
          maximum: 1080,
        },
        severity_id: {
          enum: [0, 1, 2, 3, 4, 5, 6, 99],
        },
        severity: {
          type: 'string',
        },
        status_id: {
          enum: [0, 1, 2, 99],
        },
        status: {
          type: 'string',
        },
        status_code: {
          type: 'string',
        },
        status_detail: {
          type: 'string',
        },
        message: {
          type: 'string',
        },
        metadata: {
          $ref: '#/$defs/metadata',
        },
        unmapped: {
          type: 'object',
        },
        entity: {
          $ref: '#/$defs/managed_entity',
        },
      },
      allOf: [
        {
          oneOf: [
            {
              properties: {
                activity_id: {
                  const: 0,
                },
                type_uid: {
                  const: 300400,
                },
                activity_name: {
                  const: 'Unknown',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 1,
                },
                type_uid: {
                  const: 300401,
                },
                activity_name: {
                  const: 'Create',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 2,
                },
                type_uid: {
                  const: 300402,
                },
                activity_name: {
                  const: 'Read',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 3,
                },
                type_uid: {
                  const: 300403,
                },
                activity_name: {
                  const: 'Update',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 4,
                },
                type_uid: {
                  const: 300404,
                },
                activity_name: {
                  const: 'Delete',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 5,
                },
                type_uid: {
                  const: 300405,
                },
                activity_name: {
                  const: 'Move',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 6,
                },
                type_uid: {
                  const: 300406,
                },
                activity_name: {
                  const: 'Enroll',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 7,
                },
                type_uid: {
                  const: 300407,
                },
                activity_name: {
                  const: 'Unenroll',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 8,
                },
                type_uid: {
                  const: 300408,
                },
                activity_name: {
                  const: 'Enable',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 9,
                },
                type_uid: {
                  const: 300409,
                },
                activity_name: {
                  const: 'Disable',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 10,
                },
                type_uid: {
                  const: 300410,
                },
                activity_name: {
                  const: 'Activate',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 11,
                },
                type_uid: {
                  const: 300411,
                },
                activity_name: {
                  const: 'Deactivate',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 12,
                },
                type_uid: {
                  const: 300412,
                },
                activity_name: {
                  const: 'Suspend',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 13,
                },
                type_uid: {
                  const: 300413,
                },
                activity_name: {
                  const: 'Resume',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 99,
                },
                type_uid: {
                  const: 300499,
                },
              },
            },
          ],
        },
        {
          $ref: '#/$defs/severity_pairs',
        },
        {
          $ref: '#/$defs/status_pairs',
        },
      ],
      unevaluatedProperties: false,
    },
    base_event: {
      title: 'Base Event (0)',
      type: 'object',
      required: ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid'],
      properties: {
        class_uid: {
          const: 0,
        },
        class_name: {
          const: 'Base Event',
        },
        category_uid: {
          const: 0,
        },
        category_name: {
          const: 'Uncategorized',
        },
        activity_id: {
          type: 'integer',
        },
        activity_name: {
          type: 'string',
        },
        type_uid: {
          type: 'integer',
        },
        type_name: {
          type: 'string',
        },
        time: {
          $ref: '#/$defs/timestamp_t',
        },
        timezone_offset: {
          type: 'integer',
          minimum: -1080,
          maximum: 1080,
        },
        severity_id: {
          enum: [0, 1, 2, 3, 4, 5, 6, 99],
        },
        severity: {
          type: 'string',
        },
        status_id: {
          enum: [0, 1, 2, 99],
        },
        status: {
          type: 'string',
        },
        status_code: {
          type: 'string',
        },
        status_detail: {
          type: 'string',
        },
        message: {
          type: 'string',
        },
        metadata: {
          $ref: '#/$defs/metadata',
        },
        unmapped: {
          type: 'object',
        },
      },
      allOf: [
        {
          oneOf: [
            {
              properties: {
                activity_id: {
                  const: 0,
                },
                type_uid: {
                  const: 0,
                },
                activity_name: {
                  const: 'Unknown',
                },
              },
            },
            {
              properties: {
                activity_id: {
                  const: 99,
                },
                type_uid: {
                  const: 99,
                },
              },
            },
          ],
        },
        {
          $ref: '#/$defs/severity_pairs',
        },
        {
          $ref: '#/$defs/status_pairs',
        },
      ],
      unevaluatedProperties: false,
    },
  },
};
