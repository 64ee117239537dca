import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storageKinds } from '../../../src/backends/index.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { requestPrincipal } from '../../../src/governance/iam/principals.ts';
import { IamService } from '../../../src/governance/iam/service.ts';
import { compilePolicy, evaluate } from '../../../src/governance/policy/index.ts';

/**
 * The lookups authorization makes per request (`principalOf`, `policiesOf`), fed to the policy
 * engine as enforcement will feed them.
 */

const ROOT = { accessKeyId: 'AKIAROOTROOTROOTROOT', secretAccessKey: 'root-secret' };
const ACCOUNT = '000000000000';
const ALLOW_SQS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }],
});

describe('IAM lookups for authorization', () => {
  it("turns a request's access key into a principal and its policies, which the engine decides", async () => {
    const backends = storageKinds.memory('');
    const iam = await IamService.open({
      backend: backends.iam,
      keyBackend: backends.accessKeys,
      root: ROOT,
      clock: new ManualClock(),
      accountId: ACCOUNT,
    });
    await iam.createUser({ UserName: 'alice', Path: '/eng/' });
    await iam.putPolicy('user', { UserName: 'alice', PolicyName: 'send', PolicyDocument: ALLOW_SQS });
    const key = await iam.createAccessKey({ UserName: 'alice' }, ROOT.accessKeyId);
    const decide = (accessKeyId: string, action: string) => {
      const p = iam.principalOf(accessKeyId)!;
      const identityPolicies = iam
        .policiesOf(p)
        .map((doc, i) => compilePolicy(doc, { kind: 'identity', name: `inline-${i}` }));
      const resource = `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`;
      return evaluate({ principal: requestPrincipal(p, ACCOUNT), action, resource, identityPolicies })
        .decision;
    };
    assert.equal(decide(key.accessKeyId, 'sqs:SendMessage'), 'Allow');
    assert.equal(decide(key.accessKeyId, 'sqs:DeleteQueue'), 'ImplicitDeny');
    assert.equal(decide(ROOT.accessKeyId, 'sqs:DeleteQueue'), 'Allow');
    assert.equal(
      requestPrincipal(iam.principalOf(key.accessKeyId)!, ACCOUNT).arn,
      `arn:aws:iam::${ACCOUNT}:user/eng/alice`,
    );
    assert.equal(iam.principalOf('AKIAUNKNOWNUNKNOWN23'), undefined);
  });
});
