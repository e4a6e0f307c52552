# The template's path variable is known from the call: the grant is scoped to the `/batch/` path.

variable "account_id" {
  type    = string
  default = "123456789012"
}

resource "aws_iam_policy" "scheduler" {
  name = "scheduler"
  policy = templatefile("${path.module}/policies/scheduler.json.tpl", {
    account_id = var.account_id
    role_path  = "batch"
  })
}
