# A PassRole grant whose Resource is a variable with a default: the default is evaluated, and the
# finding points at the default's value, where the wildcard is written (PR010).
variable "passable_roles" {
  type    = string
  default = "arn:aws:iam::123456789012:role/*"
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
