variable "machine_role" {}

resource "aws_sfn_state_machine" "this" {
  name       = "flow"
  role_arn   = var.machine_role
  definition = "{}"
}
