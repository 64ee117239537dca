import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  compilePolicy,
  type DecisionKind,
  type EvaluationRequest,
  evaluate,
  type RequestContext,
  type RequestPrincipal,
  roleSessionPrincipal,
  rootPrincipal,
  userPrincipal,
} from '../../../src/governance/policy/index.ts';

/** Principals, policies and the table runner shared by the policy tests. */

export const ACCOUNT = '123456789012';
export const carlos = userPrincipal(ACCOUNT, 'carlossalazar');
export const alice = userPrincipal(ACCOUNT, 'alice', 'AIDAALICE');
export const bob = userPrincipal(ACCOUNT, 'bob');
export const session = roleSessionPrincipal(ACCOUNT, 'worker', 'fn-1', 'AROAWORKER');
export const root = rootPrincipal(ACCOUNT);

/** An identity-based policy; the document gets `"Version": "2012-10-17"`. */
export const identity = (name: string, doc: unknown) =>
  compilePolicy({ Version: '2012-10-17', ...(doc as object) }, { kind: 'identity', name });

/** A resource-based policy; the document gets `"Version": "2012-10-17"`. */
export const resourcePolicy = (name: string, doc: unknown) =>
  compilePolicy({ Version: '2012-10-17', ...(doc as object) }, { kind: 'resource', name });

export const everything = identity('everything', {
  Statement: { Effect: 'Allow', Action: '*', Resource: '*' },
});

/** The identity policy of reference_policies_evaluation-logic.html#policies_evaluation_example. */
export const carlosPolicy = identity('carlossalazar/inline', {
  Statement: [
    {
      Sid: 'AllowS3ListRead',
      Effect: 'Allow',
      Action: [
        's3:GetBucketLocation',
        's3:GetAccountPublicAccessBlock',
        's3:ListAccessPoints',
        's3:ListAllMyBuckets',
      ],
      Resource: 'arn:aws:s3:::*',
    },
    {
      Sid: 'AllowS3Self',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'],
    },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
  ],
});

/** reference_policies_evaluation-logic.html#AccessPolicyLanguage_Interplay: AllowGetList and DenyReports. */
export const reports = identity('reports', {
  Statement: [
    { Sid: 'AllowGetList', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
    { Sid: 'DenyReports', Effect: 'Deny', Action: 'iam:*Report', Resource: '*' },
  ],
});

export const queue = `arn:aws:sqs:us-east-1:${ACCOUNT}:q`;

/** A queue policy with one statement (Sid `Q`) for `sqs:SendMessage` on `queue`. */
export const queueFor = (principal: unknown, effect = 'Allow') =>
  resourcePolicy('queue:q', {
    Statement: { Sid: 'Q', Effect: effect, Principal: principal, Action: 'sqs:SendMessage', Resource: queue },
  });

/** A request and the decision AWS documents for it. */
export interface Row {
  name: string;
  request: Partial<EvaluationRequest> & { principal: RequestPrincipal; action: string; resource: string };
  decision: DecisionKind;
  /** The Sid of the statement that decides, when the row checks it. */
  sid?: string;
}

/** One test per row. */
export function runTable(rows: readonly Row[]): void {
  for (const row of rows) {
    it(row.name, () => {
      const d = evaluate({ identityPolicies: [], ...row.request });
      assert.equal(d.decision, row.decision);
      if (row.sid !== undefined) assert.equal(d.matched?.sid, row.sid);
    });
  }
}

/** A Condition block, a request context, and whether the condition holds. */
export interface ConditionRow {
  name: string;
  condition: Record<string, Record<string, unknown>>;
  context: RequestContext;
  holds: boolean;
  principal?: RequestPrincipal;
}

/** One test per row, through a policy that allows everything under the row's condition. */
export function runConditions(rows: readonly ConditionRow[]): void {
  for (const row of rows) {
    it(row.name, () => {
      const policy = compilePolicy(
        {
          Version: '2012-10-17',
          Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: row.condition },
        },
        { kind: 'identity', name: 'p' },
      );
      const d = evaluate({
        principal: row.principal ?? alice,
        action: 'sqs:SendMessage',
        resource: queue,
        context: row.context,
        identityPolicies: [policy],
      });
      assert.equal(d.decision, row.holds ? 'Allow' : 'ImplicitDeny');
    });
  }
}
