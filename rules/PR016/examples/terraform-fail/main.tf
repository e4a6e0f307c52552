# The roles that may be passed come from a variable without a default or a tfvars value: the grant
# cannot be evaluated statically. PR016 states the gap at the Resource value.
variable "passable_roles" {
  type = list(string)
}

resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = var.passable_roles
    }]
  })
}
