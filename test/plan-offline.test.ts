// The failure summary of `npm run plan:offline` (scripts/plan-offline.mjs errorLines). The sample is a failed
// `terragrunt run --all plan` as measured here: Terragrunt v1.1.1's ERRO summary with its `* ` items, Terraform
// 1.11.4's diagnostic for a variable validation (`terraform plan -no-color`: summary, source lines, detail), and
// plan-diff lines of other units that merely contain "error"/"fail" (a CloudWatch metric named "errors",
// HIBP_FAIL_CLOSED), which the summary used to quote instead of the reason.
import test from 'ava';

interface PlanOffline { errorLines: (output: string, limit?: number) => string[] }
// A plain .mjs file: imported through a variable so its type comes from the interface above. Importing it does not
// start a plan (it runs only when invoked as a script).
const scriptPath = '../scripts/plan-offline.mjs';
const { errorLines } = (await import(scriptPath)) as PlanOffline;

const OUTPUT = `
                      + "HIBP_FAIL_CLOSED"              = "false"
          + id          = "errors"
          + expression  = "100 * FILL(errors, 0) / requests"
so Terraform running on another platform will fail to install these

Planning failed. Terraform encountered an error while generating this plan.


Error: Invalid value for variable

  on variables.tf line 1:
   1: variable "name" {
    ├────────────────
    │ var.name is "bad name!"

name must be 1-256 letters, digits, hyphens or underscores (a standard SNS
topic name).

ERRO[0128] Run failed: 2 errors occurred:
* Failed to execute "terraform plan -input=false -no-color -out=tfplan.tfplan" in ./eu-west-1/dev/alarms/.terragrunt-cache/x/y/alarm-topic
  Error: Invalid value for variable
* Unit '/tmp/plan-offline-x/terragrunt/live/nonprod/eu-west-1/dev/app-ecs' did not run due to a failure in '/tmp/plan-offline-x/terragrunt/live/nonprod/eu-west-1/dev/alarms'
INFO[0128] TIP (debugging-docs): For help troubleshooting errors, visit https://docs.terragrunt.com/troubleshooting/debugging
`;

test('the failure summary quotes the error and its reason, not plan lines that contain "error"', (t) => {
  const lines = errorLines(OUTPUT);
  t.true(lines.includes('Error: Invalid value for variable'), lines.join('\n'));
  t.true(lines.some((line) => line.includes('var.name is "bad name!"')), lines.join('\n'));
  t.true(lines.includes('name must be 1-256 letters, digits, hyphens or underscores (a standard SNS'), lines.join('\n'));
  t.true(lines.some((line) => line.startsWith('ERRO[0128] Run failed')), lines.join('\n'));
  t.true(lines.some((line) => line.startsWith("* Unit '/tmp/plan-offline-x/") && line.includes('did not run')), lines.join('\n'));
  for (const noise of ['HIBP_FAIL_CLOSED', 'FILL(errors', '"errors"', 'fail to install', 'TIP (debugging-docs)']) {
    t.false(lines.some((line) => line.includes(noise)), `${noise} quoted:\n${lines.join('\n')}`);
  }
});
