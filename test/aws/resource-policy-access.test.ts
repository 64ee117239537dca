/**
 * The pure parts of resource-based policies: which stored policy a request's ARN carries
 * (`withResourcePolicies`, `functionPolicyOf`), and an unparsable stored policy weighed as absent
 * by the `Authorizer`. The wire behaviour is `test/governance/resource-policies.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { one, withResourcePolicies } from '../../src/aws/access.ts';
import { functionPolicyOf } from '../../src/aws/lambda/access.ts';
import { Authorizer, type Caller, keyCaller } from '../../src/governance/authorizer.ts';
import type { User } from '../../src/governance/iam/records.ts';

const scope = { region: 'eu-west-1', account: '111122223333' };
const F = 'arn:aws:lambda:eu-west-1:111122223333:function:';

describe('withResourcePolicies', () => {
  it('attaches the policy of each ARN, and asks nothing for `*`', async () => {
    const asked: string[] = [];
    const requests = [
      ...one('sqs:SendMessage', 'arn:q'),
      ...one('sqs:ListQueues', '*'),
      ...one('x:Y', 'arn:none'),
    ];
    await withResourcePolicies(requests, async (arn) => {
      asked.push(arn);
      return arn === 'arn:q' ? '{"p":1}' : undefined;
    });
    assert.deepEqual(asked, ['arn:q', 'arn:none']);
    assert.equal(requests[0]!.resourcePolicy, '{"p":1}');
    assert.equal('resourcePolicy' in requests[2]!, false);
  });
});

describe('functionPolicyOf', () => {
  const policyOf = functionPolicyOf(scope, (name, qualifier) => `${name}|${qualifier}`);
  it('reads the unqualified and the qualified policy of a function in scope', () => {
    assert.equal(policyOf(`${F}f`), 'f|');
    assert.equal(policyOf(`${F}f:live`), 'f|live');
    assert.equal(policyOf(`${F}f:$LATEST`), 'f|$LATEST');
  });
  it('has none for mappings and other accounts', () => {
    assert.equal(policyOf('arn:aws:lambda:eu-west-1:111122223333:event-source-mapping:u'), undefined);
    assert.equal(policyOf('arn:aws:lambda:eu-west-1:999999999999:function:f'), undefined);
  });
});

describe('Authorizer with a resource policy', () => {
  const user = {
    name: 'bob',
    id: 'AIDAEXAMPLEEXAMPLE1',
    arn: 'arn:aws:iam::111122223333:user/bob',
    path: '/',
  } as User;
  const caller: Caller = keyCaller('111122223333', { kind: 'user', user });
  const authorizer = new Authorizer({
    accountId: '111122223333',
    principalOf: () => caller,
    policiesOf: () => [],
    now: () => 0,
  });
  const request = { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:111122223333:q' };
  const grant = JSON.stringify({
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: user.arn },
        Action: 'SQS:SendMessage',
        Resource: request.resource,
      },
    ],
  });

  it('grants a user the policy names, without an identity policy', () => {
    assert.equal(authorizer.decide(caller, { ...request, resourcePolicy: grant }).decision, 'Allow');
    assert.equal(authorizer.decide(caller, request).decision, 'ImplicitDeny');
  });
  it('weighs a stored policy that does not compile as absent', () => {
    for (const text of ['{"not":"a policy"}', 'nope', '{"Statement":[{"Effect":"Allow"}]}'])
      assert.equal(authorizer.decide(caller, { ...request, resourcePolicy: text }).decision, 'ImplicitDeny');
  });
});
