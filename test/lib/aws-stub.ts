// A loopback stand-in for the two read-only AWS APIs that our modules' data sources call during a plan
// (aws_caller_identity -> STS GetCallerIdentity, aws_availability_zones -> EC2 DescribeAvailabilityZones).
// The AWS provider is pointed at it with `endpoints`, so `terraform plan` runs the real provider offline.
// Any other call is answered with an error and recorded, so a plan that needs more AWS shows up as such.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsStub {
  url: string;
  /** Every action called, in order (answered or not). */
  calls: string[];
  /** Actions the stub did not know, in call order. */
  unknownActions: string[];
  close: () => Promise<void>;
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;

function answer(action: string, accountId: string, region: string): string | undefined {
  switch (action) {
    case 'GetCallerIdentity':
      return xml(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::${accountId}:user/plan-smoke</Arn>
    <UserId>AIDAPLANSMOKE00000000</UserId>
    <Account>${accountId}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`);
    case 'DescribeAvailabilityZones': {
      // Zone IDs are `<region code>-az<n>`, the region code being its geography, direction initials and number
      // (eu-west-1 → euw1, ap-southeast-2 → apse2); moto 5.2.5 lists eu-west-1a/b/c as euw1-az3/az1/az2
      // (moto/ec2/models/availability_zones_and_regions.py), as AWS maps them in its own accounts.
      const [geography = '', direction = '', number = ''] = region.split('-');
      const code = `${geography}${direction.replace('north', 'n').replace('south', 's').replace('east', 'e').replace('west', 'w').replace('central', 'c')}${number}`;
      const zones = ['a', 'b', 'c'].map((suffix, index) => `<item>
      <zoneName>${region}${suffix}</zoneName><zoneId>${code}-az${index + 1}</zoneId>
      <zoneState>available</zoneState><regionName>${region}</regionName><zoneType>availability-zone</zoneType>
      <optInStatus>opt-in-not-required</optInStatus><groupName>${region}</groupName><networkBorderGroup>${region}</networkBorderGroup>
    </item>`).join('\n');
      return xml(`<DescribeAvailabilityZonesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>00000000-0000-0000-0000-000000000000</requestId>
  <availabilityZoneInfo>${zones}</availabilityZoneInfo>
</DescribeAvailabilityZonesResponse>`);
    }
    default:
      return undefined;
  }
}

/** Starts the stub on 127.0.0.1 with an ephemeral port. */
export async function startAwsStub(options: { accountId: string; region: string }): Promise<AwsStub> {
  const unknownActions: string[] = [];
  const calls: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = params.get('Action') ?? new URL(request.url ?? '/', 'http://stub').searchParams.get('Action') ?? `${request.method} ${request.url}`;
      calls.push(action);
      const body = answer(action, options.accountId, options.region);
      if (body) {
        response.writeHead(200, { 'content-type': 'text/xml' }).end(body);
        return;
      }
      unknownActions.push(action);
      response.writeHead(400, { 'content-type': 'text/xml' }).end(xml(
        `<ErrorResponse><Error><Type>Sender</Type><Code>NotStubbed</Code><Message>plan smoke stub does not answer ${action}</Message></Error><RequestId>0</RequestId></ErrorResponse>`,
      ));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    unknownActions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
