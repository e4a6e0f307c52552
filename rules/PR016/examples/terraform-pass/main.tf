# Near misses for PR016: a variable with a path-scoped default, and a reference to a role of the scan
# (one named role). Both can be evaluated statically.
variable "passable_path" {
  type    = string
  default = "arn:aws:iam::123456789012:role/app/*"
}

resource "aws_iam_role" "worker" {
  name = "worker"
  path = "/jobs/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "batch.amazonaws.com" }
    }]
  })
}

resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = [var.passable_path, aws_iam_role.worker.arn]
    }]
  })
}
